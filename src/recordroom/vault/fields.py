"""Encrypted model fields and blind-index fields (HIPAA 164.312(a)(2)(iv); DESIGN.md invariant 3).

An encrypted field stores ``seal(value)`` in a binary column, bound to its table, column, row and subject::

    class Patient(TimeStampedModel):
        vault_subject = VaultSubjectField()                       # whose data key seals this row
        family_name = EncryptedTextField()                        # subject_field="vault_subject",
        mrn = EncryptedTextField()                                #   row_field="public_id" by default
        mrn_index = BlindIndexField(source="mrn", kind=IndexKind.MRN)

    Patient.objects.filter(mrn_index=blind_index(IndexKind.MRN, "A-1234"))

Values are sealed in ``pre_save`` (so ``save()``, ``create()`` and ``bulk_create()`` encrypt) and opened on
first attribute access. Anything that would put plaintext into SQL (``filter(name=...)``,
``QuerySet.update(name=...)``, ``bulk_update``) is refused with ``plaintext_query_refused``.
``values()``/``values_list()`` return the sealed bytes.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query_utils import DeferredAttribute

from recordroom.vault.blind_index import IndexKind, blind_index
from recordroom.vault.errors import VaultError, VaultErrorCode

if TYPE_CHECKING:
    _FieldBase = models.Field[Any, Any]
    _CharFieldBase = models.CharField[str | None, str | None]
    _UUIDFieldBase = models.UUIDField[Any, Any]
else:  # Django's field classes are not subscriptable at run time
    _FieldBase = models.Field
    _CharFieldBase = models.CharField
    _UUIDFieldBase = models.UUIDField


class Sealed(bytes):
    """A ciphertext as read from the database (or about to be written), not opened."""

    def __repr__(self) -> str:
        return f"<Sealed {len(self)} bytes>"


class SealedAttribute(DeferredAttribute):
    """Opens a sealed value on first access and keeps the plaintext on the instance (in memory only).

    A data descriptor (it defines ``__set__``), so reads always pass through here even when the instance
    dict holds the value.
    """

    field: EncryptedField

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.open_for(instance, value)
            instance.__dict__[self.field.attname] = value
        return value


class VaultSubjectField(_UUIDFieldBase):
    """The opaque id of the data key that seals a row (a patient's): new rows get a random one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", uuid.uuid4)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)


class EncryptedField(_FieldBase):
    """Base of the encrypted fields: subclasses say how a value becomes bytes and back."""

    descriptor_class = SealedAttribute

    def __init__(
        self, *args: Any, subject_field: str = "vault_subject", row_field: str = "public_id", **kwargs: Any
    ) -> None:
        self.subject_field = subject_field
        self.row_field = row_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["subject_field"] = self.subject_field
        kwargs["row_field"] = self.row_field
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "BinaryField"

    def to_bytes(self, value: Any) -> bytes:
        """Subclasses turn a Python value into the plaintext bytes that get sealed."""
        raise TypeError(f"{type(self).__name__} does not say how to encode its values (define to_bytes)")

    def from_bytes(self, data: bytes) -> Any:
        """Subclasses turn opened plaintext bytes back into a Python value."""
        raise TypeError(f"{type(self).__name__} does not say how to decode its values (define from_bytes)")

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.name}"

    def _where(self, instance: models.Model) -> tuple[Any, str]:
        from recordroom.vault.services.keys import field_context

        subject = getattr(instance, self.subject_field)
        row = getattr(instance, self.row_field)
        if subject is None or row is None:
            raise VaultError(
                VaultErrorCode.DATA_KEY_MISSING,
                f"{self.label} needs {self.subject_field} and {self.row_field} set before it is sealed",
            )
        return subject, field_context(self.model._meta.db_table, self.column, row)

    def open_for(self, instance: models.Model, sealed: bytes) -> Any:
        from recordroom.vault.services.keys import unseal

        subject, context = self._where(instance)
        return self.from_bytes(unseal(bytes(sealed), subject_id=subject, context=context))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        from recordroom.vault.services.keys import seal

        if self.attname in model_instance.__dict__:
            raw = model_instance.__dict__[self.attname]
        else:
            raw = getattr(model_instance, self.attname)
        if raw is None or isinstance(raw, Sealed):
            return raw
        subject, context = self._where(model_instance)
        return Sealed(seal(self.to_bytes(raw), subject_id=subject, context=context))

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Sealed | None:
        if value is None:
            return None
        return Sealed(bytes(value))

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, Sealed):
            return value
        raise VaultError(
            VaultErrorCode.PLAINTEXT_QUERY_REFUSED,
            f"{self.label} is encrypted: it cannot be compared or written in a query; save the instance "
            "and look values up through a blind index",
        )

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        return bytes(value)  # sqlite3 and psycopg both bind bytes to BLOB / bytea


class EncryptedTextField(EncryptedField):
    """Text sealed at rest: names, addresses, phone numbers, identifiers, free text."""

    def to_bytes(self, value: Any) -> bytes:
        if not isinstance(value, str):
            raise TypeError(f"{self.label} holds text, not {type(value).__name__}")
        return value.encode("utf-8")

    def from_bytes(self, data: bytes) -> str:
        return data.decode("utf-8")


class EncryptedDateField(EncryptedField):
    """A date sealed at rest (date of birth). Stored as ISO 8601 text inside the ciphertext."""

    empty_strings_allowed = False

    def to_bytes(self, value: Any) -> bytes:
        if not isinstance(value, date):
            raise TypeError(f"{self.label} holds a date, not {type(value).__name__}")
        return value.isoformat().encode("ascii")

    def from_bytes(self, data: bytes) -> date:
        return date.fromisoformat(data.decode("ascii"))


class EncryptedJSONField(EncryptedField):
    """A JSON document sealed at rest as one value (a demographic bundle: one AES-GCM call per row)."""

    empty_strings_allowed = False

    def to_bytes(self, value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")

    def from_bytes(self, data: bytes) -> Any:
        return json.loads(data)


class BlindIndexField(_CharFieldBase):
    """The blind index of another (encrypted) field, kept in step on every save."""

    def __init__(self, *args: Any, source: str, kind: IndexKind | str, **kwargs: Any) -> None:
        self.source = source
        self.kind = IndexKind(kind)
        kwargs["max_length"] = 32
        kwargs.setdefault("null", True)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind.value
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        source = cast("models.Field[Any, Any]", model_instance._meta.get_field(self.source))
        raw = model_instance.__dict__.get(source.attname)
        if isinstance(raw, Sealed):  # the source is unchanged since it was read: so is its index
            current: str | None = getattr(model_instance, self.attname)
            return current
        plain = getattr(model_instance, source.attname)
        value = None if plain is None or plain == "" else blind_index(self.kind, plain)
        setattr(model_instance, self.attname, value)
        return value
