-- PUT /api/v1/backups/:id/content with 4 KiB: every statement of the request, in order (three transactions:
-- the checks before streaming, the blob, and the commit with the device's last-seen time and the audit event).
-- Variables (pgbench -D): account, device, content (the 4 KiB as \x hex), metadata, wrapped, signature (\x hex),
-- sha (64 hex), now (a timestamp).
-- bench-only: fresh ids and hash for this transaction (one extra round trip the server does not make).
select gen_random_uuid() as backup, gen_random_uuid() as blob, gen_random_uuid() as event, encode(sha256(gen_random_uuid()::text::bytea), 'hex') as hash \gset
BEGIN;
select set_config('zkeb.account_id', :account, true);
select * from "zkeb"."devices" where "account_id" = :account and "device_id" = :device;
select * from "zkeb"."backups" where "account_id" = :account and "backup_id" in (:backup);
select a.*, coalesce(a.used_bytes, (select coalesce(sum(size_bytes), 0) from zkeb.backups b where b.account_id = a.account_id)) + (select coalesce(sum(size_bytes), 0) from zkeb.restic_objects r where r.account_id = a.account_id) + (select coalesce(sum(length_bytes), 0) from zkeb.snapshot_objects s where s.account_id = a.account_id) as used_total from zkeb.accounts a where a.account_id = :account;
COMMIT;
BEGIN;
select set_config('zkeb.account_id', :account, true);
with blob as (insert into zkeb.blobs (account_id, blob_id, chunk_size, size_bytes, complete) values (:account, :blob, 262144, 4096, true)) insert into zkeb.blob_chunks (account_id, blob_id, seq, data) values (:account, :blob, 0, :content);
COMMIT;
BEGIN;
select set_config('zkeb.account_id', :account, true);
select * from "zkeb"."accounts" where "account_id" = :account for no key update;
select * from "zkeb"."backups" where "account_id" = :account and "backup_id" = :backup;
select coalesce(a.used_bytes, (select coalesce(sum(size_bytes), 0) from zkeb.backups b where b.account_id = a.account_id)) + (select coalesce(sum(size_bytes), 0) from zkeb.restic_objects r where r.account_id = a.account_id) + (select coalesce(sum(length_bytes), 0) from zkeb.snapshot_objects s where s.account_id = a.account_id) as used from zkeb.accounts a where a.account_id = :account;
select sum("length_bytes") as "reserved" from "zkeb"."upload_sessions" where "account_id" = :account and not "backup_id" = :backup;
insert into "zkeb"."backups" ("account_id", "backup_id", "blob_id", "created_at", "deleted_at", "device_id", "encrypted_metadata", "key_version", "parent_id", "sha256", "signature", "size_bytes", "wrapped_key") values (:account, :backup, :blob, :now, null, :device, :metadata, 1, null, :sha, :signature, 4096, :wrapped);
update "zkeb"."devices" set "last_seen_at" = :now where "account_id" = :account and "device_id" = :device;
select "seq", "hash" from "zkeb"."audit_events" where "account_id" = :account order by "seq" desc limit 1 \gset prev_
\set seq :prev_seq + 1
insert into "zkeb"."audit_events" ("account_id", "at", "device_id", "event_id", "hash", "prev_hash", "request_id", "seq", "type") values (:account, :now, :device, :event, :hash, :prev_hash, 'bench', :seq, 'backup.uploaded');
COMMIT;
