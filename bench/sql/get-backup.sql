-- GET /api/v1/backups/:id (metadata fetch).
-- Variables (pgbench -D): account, backup = one of its backups.
BEGIN;
select set_config('zkeb.account_id', :account, true);
select * from "zkeb"."backups" where "account_id" = :account and "backup_id" = :backup;
COMMIT;
