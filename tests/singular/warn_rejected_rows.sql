{{ config(severity='warn') }}
-- Rejected rows are visible as a warning (details in stg_kefu__rejects); the build still succeeds.
select source_table, reject_reason, count(*) as rejected_rows
from {{ ref('stg_kefu__rejects') }}
where is_error
group by source_table, reject_reason
