"""Plain value classes for the modules every non-interactive run imports.

``typing.NamedTuple`` and ``dataclasses`` cost a CI call more than all of its
own work: importing ``dataclasses`` imports ``inspect``, each dataclass
compiles its methods, and each ``NamedTuple`` field annotation is compiled as
a forward reference. A :class:`Record` subclass instead lists its fields once
(``__slots__ = _fields = (...)``), writes a typed ``__init__``, and gets
equality, hashing, a ``repr`` and ``_replace`` in the form both of those give.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar, Self


class Record:
    """A value with named fields (``_fields``, in order): equal to another of
    the same class with equal fields, hashed and shown by them."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._fields])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self.__class__.__qualname__}({fields})"

    def _replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` (field name → new value), as ``NamedTuple._replace``
        and ``dataclasses.replace`` make one."""
        values = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        return self.__class__(**values)
