"""Rewrites that let the shared SQL trees run as written on other databases.

The trees of :mod:`.query` are built once, for every dialect; sqlglot renders
most of them faithfully, and :func:`adapt` fixes the rest just before
rendering, per dialect:

- Spark: ``GROUPING(a, b, …)`` takes one column there, so the bitmask is
  summed from one ``GROUPING`` per key; casts become ``TRY_CAST`` and
  ``FLOOR`` is kept away from values it cannot hold as a ``BIGINT``, so that
  ANSI mode (the default since Spark 4) never stops a query where the
  reference engine reads an unknown; a quantile is Spark's exact
  ``PERCENTILE``, which interpolates as ``QUANTILE_CONT`` does (over halved
  values, doubled, where they near the largest double: :func:`_without_overflow`,
  as in PostgreSQL);
- PostgreSQL: sums are added as NUMERIC and read back as a double (infinite
  past the largest one, as elsewhere, where PostgreSQL would stop), and so
  is arithmetic on measures marked by :func:`on_doubles` (a derived measure,
  a unit's magnitude); ``ISNAN`` becomes a comparison with ``'NaN'`` (equal to itself
  there), ``TRY_CAST`` a call of a temporary function that answers NULL
  instead of failing (see :data:`POSTGRES_FUNCTIONS`), ``MAKE_DATE`` keeps
  its name;
- BigQuery and Snowflake: ``REGEXP_REPLACE`` replaces every match there
  without DuckDB's ``'g'`` flag (in Snowflake that place holds the position
  to start from); BigQuery's ``GROUPING`` takes one column, as Spark's, and
  its ``PERCENTILE_CONT`` is a window function only, so a grouped quantile
  is computed over a window and read back per group.

>>> import sqlglot
>>> tree = sqlglot.parse_one("SELECT GROUPING(a, b) FROM t GROUP BY GROUPING SETS ((a), (a, b))")
>>> adapt(tree, "spark").sql("spark")
'SELECT CAST(GROUPING(a) AS BIGINT) * 2 + CAST(GROUPING(b) AS BIGINT) FROM t GROUP BY GROUPING SETS ((a), (a, b))'
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

Rewrite = Callable[[exp.Expr], exp.Expr]

# Where rounding to the nearest double gives infinity (2**1024 - 2**970), and zero (2**-1075).
_BEYOND_LARGEST = "1.797693134862315807937289714053e308"
_BELOW_SMALLEST = "2.470328229206232720882843964341e-324"

# Operands whose sum, product or quotient stays well inside the range of doubles.
_SUMMABLE = "abs(a) < 8e307 AND abs(b) < 8e307"
_MODERATE = "abs(a) BETWEEN 1e-154 AND 1e154 AND abs(b) BETWEEN 1e-154 AND 1e154"
_ZERO = f"\n      IF abs(exact) <= {_BELOW_SMALLEST} THEN RETURN 0; END IF;"

#: Temporary functions the PostgreSQL rewrite calls, created once per connection.
POSTGRES_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION pg_temp.directive_try_double(value text) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE AS $$
    BEGIN
      RETURN value::double precision;
    EXCEPTION WHEN others THEN
      RETURN NULL;
    END $$""",
    # A sum past the largest double is infinite, as in the other engines, not an error.
    """CREATE OR REPLACE FUNCTION pg_temp.directive_double(value numeric) RETURNS double precision
    LANGUAGE plpgsql IMMUTABLE AS $$
    BEGIN
      RETURN value::double precision;
    EXCEPTION WHEN others THEN
      RETURN CASE WHEN value > 0 THEN 'Infinity'::double precision
                  ELSE '-Infinity'::double precision END;
    END $$""",
    # Arithmetic on doubles as everywhere else: infinite past the largest double (and a product
    # or quotient zero below the smallest), where PostgreSQL stops the query ("value out of
    # range"). Operands far from both ends take the plain operation; for the others the exact
    # result (in NUMERIC) decides. PL/pgSQL, so that nested calls evaluate each operand once.
    *(f"""CREATE OR REPLACE FUNCTION pg_temp.directive_{name}(a double precision, b double precision)
    RETURNS double precision LANGUAGE plpgsql IMMUTABLE STRICT AS $$
    DECLARE exact numeric;
    BEGIN
      IF {plain} OR abs(a) = 'Infinity' OR abs(b) = 'Infinity' THEN RETURN a {op} b; END IF;
      exact := a::text::numeric {op} b::text::numeric;
      IF abs(exact) >= {_BEYOND_LARGEST} THEN RETURN sign(exact) * 'Infinity'::double precision; END IF;{zero}
      RETURN a {op} b;
    END $$"""
      for name, op, plain, zero in (
          ("add", "+", _SUMMABLE, ""), ("subtract", "-", _SUMMABLE, ""),
          ("multiply", "*", f"a = 0 OR b = 0 OR ({_MODERATE})", _ZERO),
          ("divide", "/", f"a = 0 OR ({_MODERATE})", _ZERO))),
    # The same, inlined where the operands are plain cells (no arithmetic inside): the usual
    # case runs as a plain operation, and only operands near the ends call the function.
    *(f"""CREATE OR REPLACE FUNCTION pg_temp.directive_{name}_cells(a double precision, b double precision)
    RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN {plain} THEN a {op} b ELSE pg_temp.directive_{name}(a, b) END $$"""
      for name, op, plain in (
          ("add", "+", _SUMMABLE), ("subtract", "-", _SUMMABLE),
          ("multiply", "*", f"a = 0 OR b = 0 OR ({_MODERATE})"),
          ("divide", "/", f"a = 0 OR ({_MODERATE})"))),
    """CREATE OR REPLACE FUNCTION pg_temp.directive_try_date(value text) RETURNS date
    LANGUAGE plpgsql IMMUTABLE AS $$
    BEGIN
      RETURN value::date;
    EXCEPTION WHEN others THEN
      RETURN NULL;
    END $$""",
)

_FLOOR_SAFE = 1e15  # every double at least this large is a whole number

_ON_DOUBLES = "directive_on_doubles"
_ARITHMETIC: dict[type[exp.Expr], str] = {
    exp.Add: "pg_temp.directive_add", exp.Sub: "pg_temp.directive_subtract",
    exp.Mul: "pg_temp.directive_multiply", exp.Div: "pg_temp.directive_divide",
}


# What an operand inlined into a `_cells` function may not hold: it would be computed again
# for each time the function's body names it, and nested calls would multiply that.
_NESTED: tuple[type[exp.Expr], ...] = (exp.Anonymous, *_ARITHMETIC)


def on_doubles(node: exp.Expr) -> exp.Expr:
    """*node* (``+ - * /``), marked as arithmetic on a measure's doubles, which may overflow."""
    node.meta[_ON_DOUBLES] = True
    return node


def _grouping_bits(node: exp.Expr) -> exp.Expr:
    """``GROUPING(a, b, …)`` as the sum of one-column ``GROUPING``s, for dialects that take one."""
    if not (isinstance(node, exp.Grouping) and len(node.expressions) > 1):
        return node
    keys = node.expressions
    parts: list[exp.Expr] = []
    for i, key in enumerate(keys):
        bit: exp.Expr = exp.cast(exp.Grouping(expressions=[key.copy()]), "BIGINT")
        weight = 1 << (len(keys) - 1 - i)
        parts.append(bit if weight == 1 else exp.Mul(this=bit, expression=exp.Literal.number(weight)))
    total = parts[0]
    for part in parts[1:]:
        total = exp.Add(this=total, expression=part)
    return total


def _replace_all(node: exp.Expr) -> exp.Expr:
    """``REGEXP_REPLACE`` without the ``'g'`` flag, for dialects that replace every match anyway."""
    if isinstance(node, exp.RegexpReplace) and node.args.get("modifiers") is not None:
        modifiers = node.args["modifiers"]
        if isinstance(modifiers, exp.Literal) and modifiers.this == "g":
            found = node.copy()
            found.set("modifiers", None)
            return found
    return node


def _grouped_quantiles(select: exp.Select) -> list[exp.PercentileCont]:
    """The ``PERCENTILE_CONT`` aggregates of *select* itself (not windows, not subqueries')."""
    return [p for p in select.find_all(exp.PercentileCont)
            if not isinstance(p.parent, exp.Window) and p.parent_select is select]


def _windowed_quantiles(node: exp.Expr) -> exp.Expr:
    """A grouped ``SELECT`` whose ``PERCENTILE_CONT`` is an aggregate, for dialects where it is
    analytic only (BigQuery): each is computed as a window over the same rows, partitioned by
    the same keys, in a subquery, and read back once per group with ``ANY_VALUE``.

    The subquery takes the alias of the table it replaces, so qualified columns still resolve.
    """
    if not isinstance(node, exp.Select) or not _grouped_quantiles(node):
        return node
    source = node.args.get("from_")
    assert source is not None and not node.args.get("joins"), "a quantile over one relation"
    keys = node.args["group"].expressions if node.args.get("group") else []
    outer = node.copy()
    windows = []
    for i, quantile in enumerate(_grouped_quantiles(outer)):
        partition = [k.copy() for k in keys]
        windows.append(exp.alias_(exp.Window(this=quantile.copy(), partition_by=partition), f"__q{i}"))
        quantile.replace(exp.AnyValue(this=exp.column(f"__q{i}")))
    rows = exp.Select(expressions=[exp.Star(), *windows]).from_(source.this.copy(), copy=False)
    if node.args.get("where") is not None:
        rows.set("where", node.args["where"].copy())
    outer.set("where", None)
    alias = exp.TableAlias(this=exp.to_identifier(source.this.alias_or_name))
    return outer.from_(exp.Subquery(this=rows, alias=alias), copy=False)


def _bigquery(node: exp.Expr) -> exp.Expr:
    return _windowed_quantiles(_grouping_bits(_replace_all(node)))


def _spark(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Grouping) and len(node.expressions) > 1:
        return _grouping_bits(node)
    if type(node) is exp.Cast and not node.to.is_type(*exp.DataType.TEXT_TYPES):
        return exp.TryCast(this=node.this.copy(), to=node.to.copy(), safe=True)  # safe: TRY_CAST in Spark
    if isinstance(node, exp.Floor) and not node.args.get("decimals"):
        value = node.this
        small = exp.LT(this=exp.Abs(this=value.copy()), expression=exp.Literal.number(_FLOOR_SAFE))
        return exp.Case(ifs=[exp.If(this=small, true=exp.Floor(this=value.copy()))], default=value.copy())
    if isinstance(node, exp.PercentileCont) and node.expression is not None:
        fraction = node.expression
        return _without_overflow(node.this, lambda value: exp.Anonymous(
            this="PERCENTILE", expressions=[value, fraction.copy()]))
    return node


def _without_overflow(value: exp.Expr, quantile: Rewrite) -> exp.Expr:
    """*quantile* of *value*, where the dialect's interpolation subtracts the two neighbours: for a
    group holding values near the largest double (−1.7e308 and 1.7e308) their difference overflows
    where the quantile between them does not, so there it is the quantile of the halved values,
    doubled. Halving and doubling are exact; values within 1e-300 of zero count as 0 there, so
    that no product falls below the smallest double (which stops a PostgreSQL query). Elsewhere
    the values are taken as they are."""
    operand = exp.paren(value.copy(), copy=False) if isinstance(value, exp.Binary) else value.copy()
    tiny = exp.LT(this=exp.Abs(this=operand.copy()), expression=exp.Literal.number("1e-300"))
    halved = exp.Case(ifs=[exp.If(this=tiny, true=exp.Literal.number(0))],
                      default=exp.Mul(this=operand, expression=exp.Literal.number(0.5)))
    far = exp.GT(this=exp.Max(this=exp.Abs(this=value.copy())), expression=exp.Literal.number("8e307"))
    doubled = exp.Mul(this=quantile(halved), expression=exp.Literal.number(2))
    return exp.Case(ifs=[exp.If(this=far, true=doubled)], default=quantile(value.copy()))


def _postgres(node: exp.Expr) -> exp.Expr:
    summed = node.this if isinstance(node, exp.Filter) else node
    if isinstance(summed, exp.Sum) and not (isinstance(node, exp.Sum) and isinstance(node.parent, exp.Filter)):
        # PostgreSQL stops a query whose double sum overflows; a NUMERIC sum cannot.
        # Through text: a double's shortest exact digits (a direct cast keeps 15 digits only).
        exact = exp.cast(exp.cast(summed.this.copy(), "TEXT"), "DECIMAL")
        total: exp.Expr = exp.Sum(this=exact)
        if isinstance(node, exp.Filter):
            total = exp.Filter(this=total, expression=node.expression.copy())
        return exp.Anonymous(this="pg_temp.directive_double", expressions=[total])
    if type(node) in _ARITHMETIC and node.meta.get(_ON_DOUBLES):
        operands = [node.this.copy(), node.expression.copy()]
        cells = not any(isinstance(n, _NESTED) for operand in operands for n in operand.walk())
        return exp.Anonymous(this=_ARITHMETIC[type(node)] + ("_cells" if cells else ""),
                             expressions=operands)
    if isinstance(node, exp.PercentileCont) and node.expression is not None:
        fraction = node.expression
        return _without_overflow(node.this, lambda value: exp.PercentileCont(this=value, expression=fraction.copy()))
    if isinstance(node, exp.IsNan):
        nan = exp.cast(exp.Literal.string("NaN"), "DOUBLE")
        return exp.paren(exp.EQ(this=node.this.copy(), expression=nan), copy=False)
    if isinstance(node, exp.TryCast):
        if node.to.is_type("double", "float"):
            return exp.Anonymous(this="pg_temp.directive_try_double",
                                 expressions=[exp.cast(node.this.copy(), "TEXT")])
        if node.to.is_type("date"):
            return exp.Anonymous(this="pg_temp.directive_try_date",
                                 expressions=[exp.cast(node.this.copy(), "TEXT")])
        return exp.Cast(this=node.this.copy(), to=node.to.copy())
    if isinstance(node, exp.DateFromParts):
        parts = [node.args["year"], node.args["month"], node.args["day"]]
        return exp.Anonymous(this="MAKE_DATE", expressions=[p.copy() for p in parts])
    return node


REWRITES: dict[str, Rewrite] = {"spark": _spark, "databricks": _spark, "postgres": _postgres,
                                "bigquery": _bigquery, "snowflake": _replace_all}

#: Statements a dialect must run once per session before the rewritten statements.
PREAMBLES: dict[str, tuple[str, ...]] = {"postgres": POSTGRES_FUNCTIONS}


def adapt(tree: exp.Expr, dialect: str) -> exp.Expr:
    """*tree* rewritten where *dialect* reads the shared SQL differently (a copy; *tree* is kept)."""
    rewrite = REWRITES.get(dialect)
    if rewrite is None:
        return tree
    # Bottom up, so that a rewritten node copies children already rewritten (sqlglot's own
    # transform goes top down and skips what a replacement holds).
    root = tree.copy()
    for node in reversed(list(root.dfs())):
        new = rewrite(node)
        if new is not node:
            if node is root:
                root = new
            else:
                node.replace(new)
    return root


def render(tree: exp.Expr, dialect: str, *, pretty: bool = False) -> str:
    """*tree* as SQL text in *dialect*, rewritten first (see :func:`adapt`)."""
    return adapt(tree, dialect).sql(dialect=dialect, pretty=pretty)
