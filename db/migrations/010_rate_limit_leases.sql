-- An API process may take several tokens of a busy caller's bucket in one statement (a lease it spends locally):
-- `granted` says how many the last statement took. The index on tat goes: the once-a-window sweep of full buckets
-- scans a table of one row per recent caller, and without the index each update of a busy caller's row can stay on
-- its page (a HOT update), which the fill factor leaves room for.
DROP INDEX rate_limits_tat_idx;
ALTER TABLE rate_limits ADD COLUMN granted integer NOT NULL DEFAULT 1;
ALTER TABLE rate_limits SET (fillfactor = 50);
