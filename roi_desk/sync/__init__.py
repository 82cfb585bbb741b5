"""Satellite offices and the department server exchanging their work (no Qt).

Shape of a synchronisation
--------------------------
* **Identity.** Each database has one site id and an Ed25519 key pair (``site.py``). Sites
  register each other's public key once (``roi-desk sync keys``); a bundle signed by a key
  we do not know is refused.
* **Change feed** (``rows.py``). Every table whose rows are work (requests, events,
  documents, packets, disclosures, checklist, redaction ...) is exported generically, row by
  row, as JSON. Most tables have no ``updated_at``, and clocks on a laptop cannot be
  trusted, so "what changed since the last sync with this peer" is decided by *content*:
  per peer and row we keep the SHA-256 of the row as last exchanged (``sync_rows``); a row
  whose hash equals it is not sent again. That costs a scan of the tables at export (a
  satellite's file is small; the central side exports per peer), and needs no migration of
  tables owned by other features. A bundle that never arrived is recovered with
  ``--full`` (everything is sent again; import is idempotent by UUID).
* **Import** (``exchange.py``), one transaction, all or nothing. For each incoming row:
  absent here → inserted; identical → nothing; the sender's *base* (the hash it last
  exchanged with us) equals our row → fast-forward to theirs; the incoming row is exactly
  what we already exchanged → stale echo, ours kept; otherwise **both sides edited it** →
  ours is kept and theirs is stored whole in ``sync_conflicts`` for a supervisor
  (``conflicts.py``); the row is held back from export until resolved, so neither side's
  data is dropped. Users and patients are matched by their natural key (username, MRN)
  because both sides create them independently; a request number used on both sides for
  different requests gets the origin site's tag appended (and is shown as a conflict).
* **Documents.** Bytes travel only inside the encrypted bundle: opened with the sender's
  document key at export, checked against ``documents.sha256`` and sealed again under the
  receiving database's key at import. They never touch the disk in the clear.
* **Audit.** Each database keeps its own hash chain. Another site's events go verbatim
  into the append-only ``remote_audit_events`` (origin site, their seq and hashes); they
  must continue that origin's chain exactly, so ``verify_remote`` checks every origin with
  the same digest as ``roi_desk.audit``, and ``roi-desk audit verify`` (our chain) is
  untouched. The import itself is one new event in our chain (counts only, no PHI).
* **Bundle** (``bundle.py``): a zip of JSON members + document blobs + a manifest with the
  SHA-256 of every member, encrypted with AES-256-GCM under a key derived (scrypt) from
  the department sync passphrase, and signed (Ed25519) by the exporting site over the
  whole file. Truncated, altered, foreign, wrong-passphrase or replayed bundles are
  refused with a sentence saying which, and nothing is imported.
"""

from roi_desk.errors import RoiError


class SyncError(RoiError):
    """A bundle or a synchronisation that cannot go ahead, said in plain words."""

    title = "Synchronisation"


__all__ = ["SyncError"]
