-- Every raw row ends in exactly one place: raw = staged + exact duplicates + rejected, per landing table.
select *
from {{ ref('stg_kefu__load_audit') }}
where raw_rows <> staged_rows + duplicate_rows + rejected_rows
