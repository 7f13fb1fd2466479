"""directive_dsl: quantitative policy targets as a small language, checked against data.

>>> import directive_dsl
>>> directive = directive_dsl.loads('require exports >= 10 per year')
>>> directive.rules[0].time.kind
'per'
"""

from __future__ import annotations

from .api import Directive as Directive
from .api import load as load
from .api import loads as loads
from .errors import DirectiveCheckError as DirectiveCheckError
from .errors import DirectiveDataError as DirectiveDataError
from .errors import DirectiveEngineError as DirectiveEngineError
from .errors import DirectiveError as DirectiveError
from .errors import DirectiveNameError as DirectiveNameError
from .errors import DirectiveSyntaxError as DirectiveSyntaxError
from .errors import DirectiveUnitError as DirectiveUnitError
from .errors import DirectiveUsageError as DirectiveUsageError
from .model import CheckedDirective as CheckedDirective
from .parser import parse as parse
from .report import Outcome as Outcome
from .report import Report as Report
from .version import __version__ as __version__

__all__ = [
    "CheckedDirective",
    "Directive",
    "DirectiveCheckError",
    "DirectiveDataError",
    "DirectiveEngineError",
    "DirectiveError",
    "DirectiveNameError",
    "DirectiveSyntaxError",
    "DirectiveUnitError",
    "DirectiveUsageError",
    "Outcome",
    "Report",
    "__version__",
    "load",
    "loads",
    "parse",
]
