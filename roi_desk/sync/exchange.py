"""Export what changed for one peer; import a peer's bundle in one transaction.

The three-way rule per row, and why it never drops data, is in ``roi_desk/sync`` (package
docstring). Hashes in ``sync_rows`` are taken over the row *as stored here*; the sender's
``base`` is over the row as stored *there*, so before comparing we translate our row into
the sender's ids (users and patients matched by username/MRN may have different UUIDs on
the two sides; the mapping is kept in ``sync_rows`` under ``@map:<table>``).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, and_, select
from sqlalchemy.orm import Session

from roi_desk import audit
from roi_desk.models import AuditEvent, DocumentContent, User
from roi_desk.models.base import utcnow
from roi_desk.models.sync import RemoteAuditEvent, SyncBundleLog, SyncConflict, SyncPeer, SyncRow
from roi_desk.storage import checkpoint
from roi_desk.storage.doccrypt import open_sealed, seal
from roi_desk.sync import SyncError, bundle, site
from roi_desk.sync.rows import (
    NATURAL_KEYS,
    from_json,
    primary_key,
    row_hash,
    synced_tables,
    table_by_name,
    to_json,
)

MAP_PREFIX = "@map:"
ROWS = "rows.json"
AUDIT = "audit.json"
AUDIT_HEAD = "audit-head.json"
BLOB_PREFIX = "blobs/"


@dataclass
class ExportResult:
    bundle_id: uuid.UUID
    data: bytes
    rows: int
    documents: int
    audit_events: int


@dataclass
class ImportReport:
    bundle_id: uuid.UUID
    peer: str
    replayed: bool = False
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_local: int = 0
    conflicts: int = 0
    documents: int = 0
    audit_events: int = 0
    renumbered: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kept_local": self.kept_local,
            "conflicts": self.conflicts,
            "documents": self.documents,
            "audit_events": self.audit_events,
        }


def _document_key(session: Session) -> bytes:
    key = session.info.get("document_key")
    if not key:
        raise RuntimeError("session has no document key (open it through Database)")
    return bytes(key)


def _baselines(session: Session, peer_id: uuid.UUID) -> dict[tuple[str, str], SyncRow]:
    rows = session.scalars(select(SyncRow).where(SyncRow.peer_id == peer_id))
    return {(r.table_name, r.row_id): r for r in rows}


def _set_baseline(
    session: Session,
    known: dict[tuple[str, str], SyncRow],
    peer_id: uuid.UUID,
    table: str,
    row_id: str,
    value: str,
) -> None:
    row = known.get((table, row_id))
    if row is None:
        row = SyncRow(peer_id=peer_id, table_name=table, row_id=row_id, hash=value)
        session.add(row)
        known[(table, row_id)] = row
    else:
        row.hash = value


def _held_back(session: Session) -> set[tuple[str, str]]:
    """Rows with an unresolved conflict: not sent until a supervisor has decided."""
    q = select(SyncConflict.table_name, SyncConflict.row_id).where(
        SyncConflict.resolved_at.is_(None)
    )
    return {(t, r) for t, r in session.execute(q)}


def _audit_json(ev: AuditEvent | RemoteAuditEvent) -> dict[str, Any]:
    return {
        "id": str(ev.id),
        "seq": ev.seq,
        "at": ev.at.isoformat(),
        "user_id": str(ev.user_id) if ev.user_id else None,
        "username": ev.username,
        "workstation": ev.workstation,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "detail": ev.detail,
        "prev_hash": ev.prev_hash,
        "hash": ev.hash,
    }


def export_bundle(
    session: Session,
    peer_id: uuid.UUID,
    *,
    passphrase: str,
    full: bool = False,
    user: User | None = None,
) -> ExportResult:
    """Everything ``peer_id`` has not seen from us, sealed into one bundle (in memory)."""
    own = site.ensure_site(session)
    peer = session.get(SyncPeer, peer_id)
    if peer is None:
        raise SyncError("That site is not registered here; register its key first.")
    known = _baselines(session, peer.id)
    held = _held_back(session)
    doc_key = _document_key(session)
    entries: list[dict[str, Any]] = []
    members: dict[str, bytes] = {}
    for table in synced_tables():
        for mapping in session.execute(select(table)).mappings():
            data = to_json(table, mapping)
            pk = primary_key(table, data)
            if (table.name, pk) in held:
                continue
            digest = row_hash(data)
            base = known.get((table.name, pk))
            if base is not None and base.hash == digest and not full:
                continue
            entries.append({"t": table.name, "row": data, "base": base.hash if base else None})
            _set_baseline(session, known, peer.id, table.name, pk, digest)
            if table.name == "documents":
                content = session.get(DocumentContent, uuid.UUID(pk))
                if content is not None:
                    # opened in memory only: it is sealed again by the bundle's encryption
                    members[BLOB_PREFIX + pk] = open_sealed(
                        doc_key, uuid.UUID(pk), bytes(content.data)
                    )
    since = 0 if full else peer.audit_seq_sent
    events = [
        _audit_json(ev)
        for ev in session.scalars(
            select(AuditEvent).where(AuditEvent.seq > since).order_by(AuditEvent.seq)
        )
    ]
    if events:
        peer.audit_seq_sent = max(peer.audit_seq_sent, int(events[-1]["seq"]))
    members[ROWS] = bundle.dumps(entries)
    members[AUDIT] = bundle.dumps(events)
    # the head of our trail, covered by the bundle's signature: the receiving site can tell
    # a trail of ours that was cut or rolled back since the last bundle (checkpoint.py)
    head_seq, head_hash = checkpoint.tail(session)
    members[AUDIT_HEAD] = bundle.dumps({"events": head_seq, "last_hash": head_hash})
    now = utcnow()
    bundle_id, sealed = bundle.seal_bundle(
        members,
        from_site=own.id,
        from_name=own.name,
        to_site=peer.id,
        created_at=now,
        passphrase=passphrase,
        signing_key=site.private_key(session, own),
    )
    peer.last_export_at = now
    docs = sum(1 for n in members if n.startswith(BLOB_PREFIX))
    audit.record(
        session,
        "sync.export",
        user=user,
        object_type="sync_peer",
        object_id=peer.id,
        detail={
            "bundle": str(bundle_id),
            "rows": len(entries),
            "documents": docs,
            "audit": len(events),
        },
    )
    return ExportResult(bundle_id, sealed, len(entries), docs, len(events))


class _Importer:
    """One import's state: the id maps, the baselines, the rows skipped with a parent."""

    def __init__(self, session: Session, peer: SyncPeer, report: ImportReport) -> None:
        self.session = session
        self.peer = peer
        self.report = report
        self.known = _baselines(session, peer.id)
        # remote id -> local id, per natural-key table (persisted as @map rows)
        self.maps: dict[str, dict[str, str]] = {t: {} for t in NATURAL_KEYS}
        for (tname, rid), row in self.known.items():
            if tname.startswith(MAP_PREFIX):
                self.maps[tname[len(MAP_PREFIX) :]][rid] = row.hash
        self.skipped: dict[str, set[str]] = {}
        self.tag = str(peer.id)[:4].upper()

    # -- id translation -------------------------------------------------------------------
    def _fk_targets(self, table: Table) -> dict[str, str]:
        out: dict[str, str] = {}
        for c in table.columns:
            for fk in c.foreign_keys:
                out[c.name] = fk.column.table.name
        return out

    def to_local(self, table: Table, data: dict[str, Any]) -> dict[str, Any]:
        out = dict(data)
        for col, target in self._fk_targets(table).items():
            if target in self.maps and out.get(col) in self.maps[target]:
                out[col] = self.maps[target][out[col]]
        if table.name in self.maps:
            pk = table.primary_key.columns.keys()[0]
            out[pk] = self.maps[table.name].get(out[pk], out[pk])
        return out

    def to_remote(self, table: Table, data: dict[str, Any]) -> dict[str, Any]:
        out = dict(data)
        inverse = {t: {v: k for k, v in m.items()} for t, m in self.maps.items()}
        for col, target in self._fk_targets(table).items():
            if target in inverse and out.get(col) in inverse[target]:
                out[col] = inverse[target][out[col]]
        if table.name in inverse:
            pk = table.primary_key.columns.keys()[0]
            out[pk] = inverse[table.name].get(out[pk], out[pk])
        return out

    # -- one row --------------------------------------------------------------------------
    def _local(self, table: Table, data: dict[str, Any]) -> dict[str, Any] | None:
        typed = from_json(table, data)
        cond = and_(*(c == typed[c.name] for c in table.primary_key.columns))
        found = self.session.execute(select(table).where(cond)).mappings().first()
        return to_json(table, found) if found is not None else None

    def _conflict(
        self, table: Table, pk: str, local: dict[str, Any], remote: dict[str, Any]
    ) -> None:
        digest = row_hash(remote)
        exists = self.session.scalar(
            select(SyncConflict.id).where(
                SyncConflict.table_name == table.name,
                SyncConflict.row_id == pk,
                SyncConflict.remote_hash == digest,
                SyncConflict.resolved_at.is_(None),
            )
        )
        if exists is None:
            request_id = local.get("request_id") if table.name != "requests" else local.get("id")
            self.session.add(
                SyncConflict(
                    peer_id=self.peer.id,
                    table_name=table.name,
                    row_id=pk,
                    request_id=uuid.UUID(request_id) if request_id else None,
                    local_row=local,
                    remote_row=remote,
                    remote_hash=digest,
                )
            )
        self.report.conflicts += 1

    def _parent_skipped(self, table: Table, data: dict[str, Any]) -> bool:
        for col, target in self._fk_targets(table).items():
            if data.get(col) is not None and data[col] in self.skipped.get(target, set()):
                return True
        return False

    def _unique_clash(self, table: Table, data: dict[str, Any]) -> dict[str, Any] | None:
        """A different local row holding one of this row's unique values, if any."""
        typed = from_json(table, data)
        pk_cols = list(table.primary_key.columns)
        for cons in table.constraints:
            cols = getattr(cons, "columns", None)
            if cons.__class__.__name__ != "UniqueConstraint" or cols is None:
                continue
            cond = and_(*(c == typed.get(c.name) for c in cols))
            found = self.session.execute(select(table).where(cond)).mappings().first()
            if found is not None and any(found[c.name] != typed[c.name] for c in pk_cols):
                return to_json(table, found)
        for c in table.columns:
            if c.unique:
                found = (
                    self.session.execute(select(table).where(c == typed.get(c.name)))
                    .mappings()
                    .first()
                )
                if found is not None and any(found[p.name] != typed[p.name] for p in pk_cols):
                    return to_json(table, found)
        return None

    def row(
        self, table: Table, remote_raw: dict[str, Any], base: str | None, blobs: dict[str, bytes]
    ) -> None:
        remote = self.to_local(table, remote_raw)
        pk = primary_key(table, remote)
        if self._parent_skipped(table, remote):
            self.skipped.setdefault(table.name, set()).add(pk)
            self._conflict(table, pk, {}, remote)
            return
        local = self._local(table, remote)
        if local is None:
            self._insert(table, remote, remote_raw, pk, blobs)
            return
        r_hash = row_hash(remote)
        l_hash = row_hash(local)
        if r_hash == l_hash:
            self.report.unchanged += 1
            _set_baseline(self.session, self.known, self.peer.id, table.name, pk, l_hash)
            return
        baseline = self.known.get((table.name, pk))
        if base is not None and base == row_hash(self.to_remote(table, local)):
            # they changed it starting from exactly what we have: take theirs
            typed = from_json(table, remote)
            cond = and_(*(c == typed[c.name] for c in table.primary_key.columns))
            self.session.execute(table.update().where(cond).values(**typed))
            self.report.updated += 1
            _set_baseline(self.session, self.known, self.peer.id, table.name, pk, r_hash)
            self._close_settled(table.name, pk)
            return
        if baseline is not None and baseline.hash == r_hash:
            # nothing new from them (we already exchanged exactly this); ours is newer
            self.report.kept_local += 1
            return
        self._conflict(table, pk, local, remote)

    def _close_settled(self, table: str, pk: str) -> None:
        """A conflict the peer's supervisor resolved comes back as a fast-forward."""
        for c in self.session.scalars(
            select(SyncConflict).where(
                SyncConflict.table_name == table,
                SyncConflict.row_id == pk,
                SyncConflict.resolved_at.is_(None),
            )
        ):
            c.resolved_at = utcnow()
            c.resolution = "peer"

    def _insert(
        self,
        table: Table,
        remote: dict[str, Any],
        remote_raw: dict[str, Any],
        pk: str,
        blobs: dict[str, bytes],
    ) -> None:
        natural = NATURAL_KEYS.get(table.name)
        if natural is not None:
            typed = from_json(table, remote)
            col = table.c[natural]
            same = self.session.execute(
                select(table.c.id).where(col == typed[natural])
            ).scalar_one_or_none()
            if same is not None:
                # the same person created on both sides: use ours from now on
                self.maps[table.name][pk] = str(same)
                _set_baseline(
                    self.session, self.known, self.peer.id, MAP_PREFIX + table.name, pk, str(same)
                )
                self.report.unchanged += 1
                return
        clash = self._unique_clash(table, remote)
        if clash is not None and table.name == "requests":
            # request numbers are counted per site: keep theirs apart with the site's tag
            remote = dict(remote, number=f"{remote['number']}-{self.tag}")
            self.report.renumbered.append(str(remote["number"]))
            clash = self._unique_clash(table, remote)
        if clash is not None:
            # e.g. both sides wrote the one fee quote of a request: keep ours, store theirs
            self.skipped.setdefault(table.name, set()).add(pk)
            self._conflict(table, primary_key(table, clash), clash, remote)
            return
        typed = from_json(table, remote)
        self_refs = [
            c.name
            for c in table.columns
            for fk in c.foreign_keys
            if fk.column.table is table and typed.get(c.name) is not None
        ]
        first = {k: (None if k in self_refs else v) for k, v in typed.items()}
        self.session.execute(table.insert().values(**first))
        self._deferred.extend((table, typed, name) for name in self_refs)
        if table.name == "documents":
            self._store_blob(typed, blobs)
        self.report.inserted += 1
        _set_baseline(self.session, self.known, self.peer.id, table.name, pk, row_hash(remote))

    _deferred: list[tuple[Table, dict[str, Any], str]]

    def finish(self) -> None:
        for table, typed, col in self._deferred:
            target = typed[col]
            exists = self.session.execute(
                select(table.c.id).where(table.c.id == target)
            ).scalar_one_or_none()
            if exists is not None:
                self.session.execute(
                    table.update().where(table.c.id == typed["id"]).values({col: target})
                )

    def _store_blob(self, typed: dict[str, Any], blobs: dict[str, bytes]) -> None:
        doc_id: uuid.UUID = typed["id"]
        data = blobs.get(BLOB_PREFIX + str(doc_id))
        if data is None:
            raise SyncError(
                "This sync bundle is incomplete: a document's contents are missing. Nothing "
                "was imported; export it again."
            )
        if hashlib.sha256(data).hexdigest() != typed["sha256"]:
            raise SyncError(
                "This sync bundle was altered: a document does not match its checksum. "
                "Nothing was imported."
            )
        self.session.add(
            DocumentContent(
                document_id=doc_id, data=seal(_document_key(self.session), doc_id, data)
            )
        )
        self.report.documents += 1


def _held_head(session: Session, peer: SyncPeer) -> tuple[int, str]:
    last = session.execute(
        select(RemoteAuditEvent.seq, RemoteAuditEvent.hash)
        .where(RemoteAuditEvent.origin_site_id == peer.id)
        .order_by(RemoteAuditEvent.seq.desc())
        .limit(1)
    ).first()
    return (int(last[0]), str(last[1])) if last else (0, audit.GENESIS)


def _check_head(session: Session, peer: SyncPeer, head: dict[str, Any] | None) -> None:
    """The sender's trail must end where its signed head says, and never go backwards."""
    if head is None:
        return  # a bundle from a version before heads were sent
    events, last_hash = int(head["events"]), str(head["last_hash"])
    held, held_hash = _held_head(session, peer)
    if events < held:
        raise SyncError(
            f"Site '{peer.name}' says its audit trail has {events} events, but it already "
            f"sent {held}: its newest events were deleted, or an older copy of its database "
            "was put back (a rollback). Nothing was imported; tell the privacy officer."
        )
    if events > held or last_hash != held_hash:
        raise SyncError(
            f"The audit events in this bundle from site '{peer.name}' do not reach the end "
            "of its trail that the bundle names. Nothing was imported; ask that site to "
            "export again with --full."
        )


def _import_audit(session: Session, peer: SyncPeer, events: list[dict[str, Any]]) -> int:
    """Append the peer's own chain; it must continue exactly where we stopped."""
    from roi_desk.storage.chain import event_digest

    seq, prev = _held_head(session, peer)
    added = 0
    for ev in events:
        n = int(ev["seq"])
        if n <= seq:
            continue  # already here (a replay or a --full bundle)
        if n != seq + 1 or ev["prev_hash"] != prev:
            raise SyncError(
                f"Site '{peer.name}' sent audit events that do not continue its trail as "
                "stored here (a bundle in between is missing). Nothing was imported; ask "
                "that site to export again with --full."
            )
        row = RemoteAuditEvent(
            origin_site_id=peer.id,
            seq=n,
            at=_dt(ev["at"]),
            user_id=uuid.UUID(ev["user_id"]) if ev["user_id"] else None,
            username=ev["username"],
            workstation=ev["workstation"],
            action=ev["action"],
            object_type=ev["object_type"],
            object_id=ev["object_id"],
            detail=ev["detail"],
            prev_hash=ev["prev_hash"],
            hash=ev["hash"],
        )
        row.id = uuid.UUID(ev["id"])
        if event_digest(row) != row.hash:
            raise SyncError(
                f"Site '{peer.name}' sent an audit event whose contents do not match its "
                "hash. Nothing was imported; tell the privacy officer."
            )
        session.add(row)
        seq, prev = n, row.hash
        added += 1
    return added


def _dt(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text)


def _peer_for(session: Session) -> Any:
    def lookup(header: bundle.Header) -> bytes:
        own = site.ensure_site(session)
        if header.from_site == own.id:
            raise SyncError("This bundle was exported by this same site; import it at the other.")
        peer = session.get(SyncPeer, header.from_site)
        if peer is None:
            raise SyncError(
                f"This sync bundle comes from a site this database does not know "
                f"('{header.from_name}'). It was refused. Register that site's key first "
                "(roi-desk sync keys --add)."
            )
        if header.to_site is not None and header.to_site != own.id:
            raise SyncError("This sync bundle was made for another site; it was refused.")
        return bytes(peer.public_key)

    return lookup


def import_bundle(
    session: Session, data: bytes, *, passphrase: str, user: User | None = None
) -> ImportReport:
    """Verify, decrypt and apply a bundle in the caller's transaction (all or nothing)."""
    header, members = bundle.open_bundle(data, public_key=_peer_for(session), passphrase=passphrase)
    peer = session.get(SyncPeer, header.from_site)
    assert peer is not None  # checked by _peer_for
    report = ImportReport(header.bundle_id, peer.name)
    if session.get(SyncBundleLog, header.bundle_id) is not None:
        report.replayed = True
        return report
    try:
        entries = json.loads(members[ROWS])
        events = json.loads(members[AUDIT])
        head = json.loads(members[AUDIT_HEAD]) if AUDIT_HEAD in members else None
    except (KeyError, ValueError) as exc:
        raise SyncError("This sync bundle is damaged (its contents are unreadable).") from exc
    importer = _Importer(session, peer, report)
    importer._deferred = []
    for entry in entries:
        table = table_by_name(str(entry.get("t")))
        if table is None:
            continue  # a table this version does not have (newer sender): nothing to do
        importer.row(table, entry["row"], entry.get("base"), members)
    importer.finish()
    if head is not None and int(head.get("events", 0)) < _held_head(session, peer)[0]:
        _check_head(session, peer, head)  # a rollback: said before anything is appended
    report.audit_events = _import_audit(session, peer, events)
    _check_head(session, peer, head)
    now = utcnow()
    peer.last_import_at = now
    session.add(
        SyncBundleLog(
            id=header.bundle_id,
            peer_id=peer.id,
            created_at=header.created_at,
            summary=report.counts(),
        )
    )
    audit.record(
        session,
        "sync.import",
        user=user,
        object_type="sync_peer",
        object_id=peer.id,
        detail={"bundle": str(header.bundle_id), **report.counts()},
    )
    session.flush()
    return report
