"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Written with a few helpers for what every table repeats (a column, the
quarter, the upload a row came from, the status histories); the schema is
the one Alembic generated: the same columns, constraints and indexes, in the
same order.
"""
from alembic import op
import sqlalchemy as sa

revision = '0001'
down_revision = None

ID, QUARTER, STATUS, LONG_TEXT = sa.String(length=40), sa.String(length=7), sa.String(length=20), sa.String(length=2000)
INT, FLOAT, BOOL, DATE, TEXT = sa.Integer(), sa.Float(), sa.Boolean(), sa.Date(), sa.Text()


def _c(name, type_, null=False):
    return sa.Column(name, type_, nullable=null)


def _serial():
    return sa.Column('id', sa.Integer(), autoincrement=True, nullable=False)


def _quarter(null=False):
    return [_c('quarter', QUARTER, null), _c('quarter_idx', INT, null)]


def _table(name, *columns, refs=(), pk=None, unique=(), indexes=()):
    """Create a table: its columns, a foreign key per (column, target) of
    ``refs`` (in column order, as Alembic writes them), the primary key, the
    unique constraints, each (columns, name); then its indexes, each (name,
    columns)."""
    fks = [sa.ForeignKeyConstraint([column], [target]) for column, target in sorted(refs)]
    uniques = [sa.UniqueConstraint(*cols, name=constraint) for cols, constraint in unique]
    op.create_table(name, *columns, *fks, sa.PrimaryKeyConstraint(*pk), *uniques)
    if indexes:
        with op.batch_alter_table(name, schema=None) as batch_op:
            for index, columns_ in indexes:
                batch_op.create_index(index, columns_, unique=False)


def _entity(name, key, *columns, refs=()):
    """A facility, finding or priority: its key, country, ``columns`` and the
    uploads that created it and last changed it."""
    _table(
        name,
        _c(key, ID), _c('country_code', sa.String(length=3)), *columns,
        _c('created_upload_id', INT), _c('updated_upload_id', INT),
        refs=[('country_code', 'countries.code'), ('created_upload_id', 'uploads.id'),
              ('updated_upload_id', 'uploads.id'), *refs],
        pk=[key],
        indexes=[(f'ix_{name}_country_code', ['country_code'])] + [(f'ix_{name}_{c}', [c]) for c, _ in refs],
    )


def _history(name, key, key_type, target, *columns, unique):
    """A status history: one row per entity and quarter it was reported."""
    _table(
        name,
        _serial(), _c(key, key_type), *_quarter(), *columns, _c('upload_id', INT),
        refs=[(key, target), ('upload_id', 'uploads.id')],
        pk=['id'],
        unique=[((key, 'quarter_idx'), unique)],
        indexes=[(f'ix_{name}_quarter', ['quarter_idx', key]), (f'ix_{name}_upload_id', ['upload_id'])],
    )


def upgrade() -> None:
    _table(
        'countries',
        _c('code', sa.String(length=3)), _c('name', sa.String(length=80)),
        _c('lat_min', FLOAT), _c('lat_max', FLOAT), _c('lon_min', FLOAT), _c('lon_max', FLOAT),
        _c('background', TEXT, True), _c('achievements', TEXT, True),
        pk=['code'], unique=[(['name'], None)],
    )
    _table(
        'indicators',
        _c('code', ID), _c('label', sa.String(length=120)), _c('is_count', BOOL), _c('sort_order', INT),
        pk=['code'],
    )
    _table(
        'uploads',
        _serial(), _c('kind', sa.String(length=16)), _c('country_code', sa.String(length=3), True), *_quarter(True),
        _c('uploaded_at', sa.DateTime(timezone=True)), _c('uploaded_by', sa.String(length=120)),
        _c('file_name', sa.String(length=255)), _c('sha256', sa.String(length=64)), _c('size_bytes', INT),
        _c('content', sa.LargeBinary(), True), _c('status', sa.String(length=16)),
        _c('superseded_by_id', INT, True), _c('restored_from_id', INT, True),
        _c('prepared_by', sa.String(length=200), True), _c('submitted_on', DATE, True), _c('notes', TEXT, True),
        _c('counts', sa.JSON(), True), _c('warnings', sa.JSON(), True),
        refs=[('country_code', 'countries.code'), ('restored_from_id', 'uploads.id'),
              ('superseded_by_id', 'uploads.id')],
        pk=['id'],
        indexes=[('ix_uploads_country_quarter', ['country_code', 'quarter_idx', 'status']),
                 ('ix_uploads_sha256', ['sha256'])],
    )
    _entity(
        'facilities', 'facility_id',
        _c('name', sa.String(length=200)), _c('type', sa.String(length=40), True),
        _c('city', sa.String(length=120), True), _c('latitude', FLOAT, True), _c('longitude', FLOAT, True),
        _c('pilot', BOOL), _c('notes', TEXT, True),
    )
    _table(
        'indicator_values',
        _serial(), _c('country_code', sa.String(length=3)), _c('indicator_code', ID), *_quarter(),
        _c('value', FLOAT), _c('approximate', BOOL), _c('note', TEXT, True), _c('upload_id', INT),
        refs=[('country_code', 'countries.code'), ('indicator_code', 'indicators.code'), ('upload_id', 'uploads.id')],
        pk=['id'],
        unique=[(['country_code', 'indicator_code', 'quarter_idx'], 'uq_indicator_value')],
        indexes=[('ix_indicator_values_upload_id', ['upload_id'])],
    )
    _entity(
        'priorities', 'priority_id',
        _c('title', LONG_TEXT), _c('theme', LONG_TEXT, True), _c('target_date', DATE, True),
    )
    _table(
        'activities',
        _c('activity_id', ID), _c('country_code', sa.String(length=3)), *_quarter(), _c('date', DATE),
        _c('type', sa.String(length=40)), _c('title', LONG_TEXT), _c('participants', INT, True),
        _c('female_participants', INT, True), _c('facility_id', ID, True), _c('notes', TEXT, True),
        _c('upload_id', INT),
        refs=[('country_code', 'countries.code'), ('facility_id', 'facilities.facility_id'),
              ('upload_id', 'uploads.id')],
        pk=['activity_id'],
        indexes=[('ix_activities_country_quarter', ['country_code', 'quarter_idx']),
                 ('ix_activities_upload_id', ['upload_id'])],
    )
    _entity(
        'findings', 'finding_id',
        _c('facility_id', ID), _c('audit_date', DATE), _c('domain', STATUS), _c('severity', STATUS),
        _c('title', LONG_TEXT), _c('recommendation', TEXT, True),
        refs=[('facility_id', 'facilities.facility_id')],
    )
    _table(
        'milestones',
        _serial(), _c('priority_id', ID), _c('name', LONG_TEXT), _c('name_key', LONG_TEXT),
        _c('created_upload_id', INT),
        refs=[('created_upload_id', 'uploads.id'), ('priority_id', 'priorities.priority_id')],
        pk=['id'],
        unique=[(['priority_id', 'name_key'], 'uq_milestone')],
        indexes=[('ix_milestones_priority_id', ['priority_id'])],
    )
    _history(
        'priority_updates', 'priority_id', ID, 'priorities.priority_id',
        _c('status', STATUS), _c('progress_pct', FLOAT, True), _c('narrative', TEXT, True),
        _c('next_steps', TEXT, True),
        unique='uq_priority_update',
    )
    _history(
        'finding_updates', 'finding_id', ID, 'findings.finding_id',
        _c('status', STATUS), _c('due_date', DATE, True), _c('owner', LONG_TEXT, True),
        _c('status_note', TEXT, True),
        unique='uq_finding_update',
    )
    _history(
        'milestone_updates', 'milestone_id', INT, 'milestones.id',
        _c('due_date', DATE, True), _c('status', STATUS), _c('completed_on', DATE, True),
        unique='uq_milestone_update',
    )


# Every table in the order they are dropped, with its indexes (dropped first).
_DROPPED = (
    ('milestone_updates', ('ix_milestone_updates_upload_id', 'ix_milestone_updates_quarter')),
    ('finding_updates', ('ix_finding_updates_upload_id', 'ix_finding_updates_quarter')),
    ('priority_updates', ('ix_priority_updates_upload_id', 'ix_priority_updates_quarter')),
    ('milestones', ('ix_milestones_priority_id',)),
    ('findings', ('ix_findings_facility_id', 'ix_findings_country_code')),
    ('activities', ('ix_activities_upload_id', 'ix_activities_country_quarter')),
    ('priorities', ('ix_priorities_country_code',)),
    ('indicator_values', ('ix_indicator_values_upload_id',)),
    ('facilities', ('ix_facilities_country_code',)),
    ('uploads', ('ix_uploads_sha256', 'ix_uploads_country_quarter')),
    ('indicators', ()),
    ('countries', ()),
)


def downgrade() -> None:
    for table, indexes in _DROPPED:
        if indexes:
            with op.batch_alter_table(table, schema=None) as batch_op:
                for index in indexes:
                    batch_op.drop_index(index)
        op.drop_table(table)
