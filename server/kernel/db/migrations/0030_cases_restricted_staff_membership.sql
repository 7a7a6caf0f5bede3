-- A list of cases tests, for each restricted case, whether the reader is one of its named staff. Without an index
-- on the member, the planner hashed every named-staff row of the platform for each dashboard: a sequential scan
-- of 58,861 rows, 37 ms of one dashboard at 1M cases (bench `cases --preset large`).
CREATE INDEX "cases_restricted_staff_membership_idx" ON "cases_restricted_staff" USING btree ("membership_id");
