-- The built-in roles (see cct_domain::permissions::builtin) and the usual content types.
-- Fixed ids, so every device that runs this migration agrees on them.

INSERT INTO role (id, name, description, permissions, is_active, created_at, updated_at) VALUES
    ('0193a000-0000-7000-8000-000000000001', 'admin', 'Runs the office: everything, including prerequisite overrides, roles and settings', '["people.read", "people.write", "campuses.read", "campuses.write", "roles.read", "roles.manage", "courses.read", "courses.write", "enrollments.read", "enrollments.write", "enrollments.override_prerequisites", "attendance.read", "attendance.write", "certifications.read", "certifications.write", "special_requirements.read", "special_requirements.read_confidential", "special_requirements.write", "audit.read", "sync.manage", "settings.manage"]', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('0193a000-0000-7000-8000-000000000002', 'staff', 'Church staff: people, courses, enrollments, attendance and certifications', '["people.read", "people.write", "campuses.read", "campuses.write", "roles.read", "courses.read", "courses.write", "enrollments.read", "enrollments.write", "attendance.read", "attendance.write", "certifications.read", "certifications.write", "special_requirements.read", "special_requirements.read_confidential", "special_requirements.write", "audit.read", "sync.manage"]', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('0193a000-0000-7000-8000-000000000003', 'member', 'A church member: sees courses and certifications', '["courses.read", "certifications.read", "campuses.read"]', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('0193a000-0000-7000-8000-000000000004', 'guest', 'A visitor: sees the course catalogue', '["courses.read"]', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('0193a000-0000-7000-8000-000000000005', 'checkin_volunteer', 'Checks people in at a classroom laptop; sees non-confidential special requirements', '["people.read", "campuses.read", "courses.read", "enrollments.read", "attendance.read", "attendance.write", "special_requirements.read"]', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');

INSERT INTO content_type (id, name, description, icon_class, is_active, created_at, updated_at) VALUES
    ('0193a000-0000-7000-8000-000000000101', 'video', 'A video to watch', 'icon-video', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('0193a000-0000-7000-8000-000000000102', 'document', 'A handout or PDF to read', 'icon-document', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('0193a000-0000-7000-8000-000000000103', 'book', 'A book or chapter to read', 'icon-book', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('0193a000-0000-7000-8000-000000000104', 'in_person', 'A class meeting in person', 'icon-people', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z'),
    ('0193a000-0000-7000-8000-000000000105', 'assignment', 'Something to do and hand in', 'icon-task', 1, '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');

INSERT INTO office_setting (key, value, updated_at) VALUES
    ('certification_expiring_soon_days', '60', '2026-01-01T00:00:00.000000Z'),
    ('absence_warning_threshold', '3', '2026-01-01T00:00:00.000000Z'),
    ('office_time_zone', '"UTC"', '2026-01-01T00:00:00.000000Z');
