"""The dialect-neutral SQL compiler: a plan's requests as sqlglot trees, and the engines
that run them on another database (:mod:`.remote`)."""
