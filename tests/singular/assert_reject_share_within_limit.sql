-- The build fails when a landing table rejects more than var reject_error_share of its raw rows.
select
    source_table,
    raw_rows,
    error_rejected_rows,
    {{ var('reject_error_share') }} as allowed_share
from {{ ref('stg_kefu__load_audit') }}
where error_rejected_rows > {{ var('reject_error_share') }} * raw_rows
