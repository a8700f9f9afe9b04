-- GET /api/v1/backups?limit=50 (captured with log_statement=all; the drift check in bench/sql-script.ts compares).
-- Variables (pgbench -D): account = the account's id.
BEGIN;
select set_config('zkeb.account_id', :account, true);
select * from "zkeb"."backups" where "account_id" = :account and "deleted_at" is null order by "created_at" desc, "backup_id" desc limit 50;
COMMIT;
