"""Validation of German healthcare identifiers, one module per scheme (python-stdnum style).

- :mod:`~leportal_core.identifiers.ik` - Institutionskennzeichen (9 digits, check digit)
- :mod:`~leportal_core.identifiers.kvnr` - Krankenversichertennummer (letter, 8 digits, check
  digit)
- :mod:`~leportal_core.identifiers.lanr` - lebenslange Arztnummer (9 digits, check digit in
  position 7)
- :mod:`~leportal_core.identifiers.bsnr` - Betriebsstättennummer (9 digits, no check digit)

Every module has ``compact``, ``validate``, ``is_valid`` and ``format``; those with a check digit
also have ``calc_check_digit``, and :mod:`~leportal_core.identifiers.ik` has ``describe``.
``validate`` raises a subclass of :class:`~leportal_core.errors.InvalidIdentifier`
(``InvalidFormat``, ``InvalidLength``, ``InvalidChecksum``) whose problem codes are
``<scheme>.format``, ``<scheme>.length`` and ``<scheme>.checksum``.

>>> from leportal_core.identifiers import ik, kvnr, lanr, bsnr
>>> [m.is_valid(n) for m, n in [(ik, "260326822"), (kvnr, "A123456780"), (lanr, "123456601"),
...                             (bsnr, "190111100")]]
[True, True, True, True]
"""

from __future__ import annotations

from leportal_core.identifiers import bsnr, ik, kvnr, lanr

__all__ = ["bsnr", "ik", "kvnr", "lanr"]
