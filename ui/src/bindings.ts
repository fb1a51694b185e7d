// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit; run
// `CCT_WRITE_BINDINGS=1 cargo test -p church-course-tracker bindings` after changing them.

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]?: JsonValue } | null;

export type Timestamp = string;

export type RecordMeta = { id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type Permission = "people.read" | "people.write" | "campuses.read" | "campuses.write" | "roles.read" | "roles.manage" | "courses.read" | "courses.write" | "enrollments.read" | "enrollments.write" | "enrollments.override_prerequisites" | "attendance.read" | "attendance.write" | "certifications.read" | "certifications.write" | "special_requirements.read" | "special_requirements.read_confidential" | "special_requirements.write" | "audit.read" | "sync.manage" | "settings.manage" | "data.export" | "checkin.override" | "reports.read";

export type Person = { planning_center_id: string | null, first_name: string, last_name: string, nickname: string | null, email: string | null, phone: string | null, date_of_birth: string | null, gender: string | null, address1: string | null, address2: string | null, city: string | null, state: string | null, zip: string | null, household_id: string | null, household_name: string | null, status: PersonStatus, join_date: string | null, last_synced_at: Timestamp | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type PersonStatus = "active" | "inactive";

export type Household = { planning_center_id: string | null, name: string, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type PeopleCampus = { people_id: string, campus_id: string, assigned_date: string, is_primary: boolean, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type PeopleRole = { people_id: string, role_id: string, assigned_date: string, assigned_by: string | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type SpecialRequirement = { people_id: string, requirement_type: RequirementType, details: string, severity: Severity, visibility: Visibility, requires_action: boolean, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type PickupContact = { child_id: string, 
/**
 * Someone in the church's records, or none for a name only.
 */
people_id: string | null, name: string, relationship: string | null, may_collect: boolean, 
/**
 * Shown only to roles allowed confidential information (the terms of a custody order).
 */
note: string | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type RequirementType = "allergy" | "medical" | "accessibility" | "dietary" | "other";

export type Severity = "low" | "medium" | "high" | "critical";

export type Visibility = "checkin" | "staff";

export type Campus = { name: string, address: string | null, phone: string | null, email: string | null, planning_center_location_id: string | null, 
/**
 * IANA name, e.g. `America/Chicago`; timestamps are stored in UTC and shown in this zone.
 */
time_zone: string, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type Role = { name: string, description: string | null, permissions: Array<string>, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type Facility = { campus_id: string, name: string, capacity: number | null, notes: string | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type Course = { name: string, description: string | null, duration_weeks: number | null, campus_id: string | null, planning_center_event_id: string | null, planning_center_event_name: string | null, event_start_date: string | null, event_end_date: string | null, 
/**
 * `None` means no limit.
 */
max_capacity: number | null, 
/**
 * The registered (not waitlisted) count; kept by the store.
 */
current_registrations: number, 
/**
 * Absences after which an enrollment is flagged; `None` uses the office default.
 */
absence_warning_threshold: number | null, 
/**
 * Sessions a person must attend (present or late) to complete the course, each a step
 * of progress beside the required content; `None` when attendance is not required.
 */
sessions_required: number | null, grading: Grading, 
/**
 * The score (0–100) the final assessment must reach, for a course graded pass/fail or by
 * percentage.
 */
pass_mark: number | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type CoursePrerequisite = { course_id: string, prerequisite_course_id: string, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type ContentType = { name: string, description: string | null, icon_class: string | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type CourseModule = { course_id: string, title: string, description: string | null, order_sequence: number, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type Content = { course_id: string, module_id: string | null, title: string, content_type_id: string, order_sequence: number, file_path_or_url: string | null, duration_minutes: number | null, is_required: boolean, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type CourseRole = { people_id: string, course_id: string, 
/**
 * The offering taught or helped in; `None` as for an enrollment.
 */
offering_id: string | null, role_type: CourseRoleType, assigned_date: string, assigned_by: string | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type CourseRoleType = "teacher" | "student" | "assistant" | "observer";

export type Assessment = { course_id: string, module_id: string | null, title: string, description: string | null, passing_score: number, max_attempts: number | null, is_required: boolean, 
/**
 * The course's final assessment: in a course graded pass/fail or by percentage, failing
 * it with no attempts left ends the enrollment as not passed.
 */
is_final: boolean, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type ClassSession = { course_id: string, 
/**
 * The offering the session meets for; `None` as for an enrollment.
 */
offering_id: string | null, facility_id: string | null, title: string, starts_at: Timestamp, ends_at: Timestamp, capacity: number | null, status: SessionStatus, 
/**
 * At most this many children for each adult serving; more warns at the station.
 */
children_per_adult: number | null, 
/**
 * The certification those who serve in the session must hold, valid on the day.
 */
serving_certification_id: string | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type SessionStatus = "scheduled" | "in_progress" | "completed" | "cancelled";

export type CourseEnrollment = { people_id: string, course_id: string, 
/**
 * The offering enrolled in; `None` only in a change from a computer on a release before
 * offerings, which the store places in the course's first offering.
 */
offering_id: string | null, planning_center_registration_id: string | null, enrollment_date: string, status: EnrollmentStatus, progress_percentage: number, completion_date: string | null, notes: string | null, 
/**
 * Enrolled although prerequisites were missing; who did it, why and when are kept.
 */
dependency_override: boolean, dependency_override_by: string | null, dependency_override_reason: string | null, dependency_override_at: Timestamp | null, planning_center_synced: boolean, registration_status: RegistrationStatus, registration_notes: string | null, waitlisted_at: Timestamp | null, 
/**
 * The final assessment's best score, for a course graded by percentage.
 */
grade: number | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type EnrollmentStatus = "enrolled" | "in_progress" | "completed" | "dropped" | "not_passed";

export type RegistrationStatus = "registered" | "cancelled" | "waitlisted";

export type ContentCompletion = { course_enrollment_id: string, content_id: string, completed_at: Timestamp, time_spent_minutes: number | null, score: number | null, notes: string | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type AssessmentAttempt = { course_enrollment_id: string, assessment_id: string, attempt_number: number, score: number, is_passed: boolean, submitted_at: Timestamp, graded_by: string | null, feedback: string | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type AttendanceRecord = { class_session_id: string, people_id: string, course_enrollment_id: string | null, status: AttendanceStatus, check_in_at: Timestamp | null, check_out_at: Timestamp | null, marked_by: string | null, 
/**
 * Kept for rows from release 0.1 and older devices; a code is never stored here now (it
 * is the guardian tag's, see the store's `checkin::pickup`).
 */
security_code: string | null, notes: string | null, 
/**
 * Who released a child (the station's volunteer, or staff).
 */
released_by: string | null, release_method: ReleaseMethod | null, 
/**
 * Why staff released a child without the tag's code.
 */
release_reason: string | null, 
/**
 * Who collected them, as the volunteer saw it.
 */
collected_by: string | null, 
/**
 * Came to serve (a teacher or volunteer), not to attend: counts toward the room's ratio.
 */
serving: boolean, 
/**
 * Served without the certification the session asks of those who serve.
 */
serving_uncertified: boolean, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type AttendanceStatus = "present" | "absent" | "late" | "excused";

export type ReleaseMethod = "code" | "staff";

export type Certification = { name: string, description: string | null, 
/**
 * `None`: the certification never expires.
 */
validity_months: number | null, source: CertificationSource, 
/**
 * A shorter course whose completion renews the certification for someone who has held it.
 */
refresher_course_id: string | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type CertificationCourse = { certification_id: string, course_id: string, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type CertificationProgress = { people_id: string, certification_id: string, started_date: string, completed_date: string | null, status: CertificationStatus, expires_date: string | null, certificate_number: string | null, 
/**
 * The Planning Center background check this standing was read from, if it was.
 */
planning_center_id: string | null, 
/**
 * That check's status in Planning Center, to show why someone is or is not cleared.
 */
planning_center_status: string | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type CertificationStatus = "in_progress" | "completed" | "expired";

export type CertificationSource = "office" | "planning_center";

export type CertificationRecord = { people_id: string, certification_id: string, earned_on: string, expires_on: string | null, certificate_number: string | null, 
/**
 * The completed enrollments it rests on, as a JSON array of ids.
 */
course_enrollment_ids: string, 
/**
 * Earned again by someone who held it before.
 */
renewal: boolean, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type CourseOffering = { course_id: string, 
/**
 * What tells it from the course's other offerings: "Autumn 2026".
 */
name: string, starts_on: string | null, ends_on: string | null, 
/**
 * When it meets, as the office says it: "Tuesdays 7 pm".
 */
schedule: string | null, campus_id: string | null, 
/**
 * Its room.
 */
facility_id: string | null, 
/**
 * `None` means no limit.
 */
max_capacity: number | null, 
/**
 * The registered (not waitlisted) count; kept by the store.
 */
current_registrations: number, 
/**
 * The Planning Center signup whose registrations enroll people in this offering.
 */
planning_center_event_id: string | null, planning_center_event_name: string | null, id: string, is_active: boolean, created_at: Timestamp, updated_at: Timestamp, created_by: string | null, updated_by: string | null, };

export type OfferingPhase = "upcoming" | "running" | "past";

export type Grading = "completion" | "pass_fail" | "percentage";

export type ErrorReport = { code: ErrorCode, message: string, field: string | null, };

export type ErrorCode = "invalid_input" | "prerequisites_not_met" | "prerequisite_cycle" | "not_found" | "unknown_reference" | "inactive_reference" | "duplicate" | "conflict" | "unknown_column" | "use_dedicated_command" | "permission_denied" | "signed_out" | "session_locked" | "wrong_password" | "sign_in_wait" | "no_password" | "unknown_person" | "person_inactive" | "invitation_unknown" | "invitation_used" | "invitation_expired" | "last_administrator" | "kiosk_locked" | "not_a_station" | "session_not_at_station" | "printer_failed" | "pickup_code_wrong" | "pickup_code_other_station" | "pickup_code_other_day" | "pickup_code_wait" | "not_on_tag" | "pickup_not_authorized" | "pickup_code_required" | "room_full" | "not_certified_to_serve" | "family_not_found" | "many_families_match" | "self_check_in_only" | "demo_mode" | "store_in_use" | "constraint_violation" | "corrupt_record" | "migration_failed" | "disk_full" | "database_error" | "database_unreadable" | "database_opening" | "database_key_missing" | "backup_unreadable" | "backup_failed" | "no_backup_folder" | "backup_running" | "keychain_unavailable" | "no_folder" | "export_failed" | "internal" | "not_connected" | "sign_in_again" | "sign_in_failed" | "offline" | "planning_center_error" | "sync_running" | "sync_cancelled" | "invalid_hub_address" | "tls_required" | "hub_unreachable" | "hub_error" | "hub_migration_failed" | "hub_has_team" | "hub_has_no_team" | "join_code_unknown" | "join_code_used" | "join_code_expired" | "device_removed" | "not_a_member" | "not_joined" | "station_letter_taken" | "clock_ahead" | "already_syncing" | "cannot_remove_self" | "update_endpoint_invalid" | "update_check_failed" | "update_manifest_invalid" | "update_not_for_this_computer" | "update_signature_invalid" | "update_failed" | "no_update" | "not_downloaded";

export type AppStatus = { version: string, database_path: string, demo_mode: boolean, signed_in: SignedIn | null, people: number, courses: number, pending_changes: number, 
/**
 * This laptop is a check-in station: the window shows only check-in.
 */
kiosk: boolean, 
/**
 * Seconds without use before the window locks.
 */
idle_lock_seconds: number, };

export type SignedIn = { person_id: string | null, name: string, permissions: Array<Permission>, };

export type SignInScreen = { 
/**
 * Who signed in on this computer lately, most recent first.
 */
recent: Array<RecentPerson>, 
/**
 * The demo church's administrator, who signs in without a password (demo only).
 */
demo: RecentPerson | null, 
/**
 * Whose locked session this is, when the window locked.
 */
locked: RecentPerson | null, 
/**
 * After an upgrade from release 0.1: the administrator it acted as here, who sets their
 * first password on this screen.
 */
first_password_for: RecentPerson | null, 
/**
 * Seconds without use before the window locks.
 */
idle_lock_seconds: number, };

export type RecentPerson = { people_id: string, name: string, };

export type Who = { "by": "person", people_id: string, } | { "by": "email", email: string, };

export type Invitation = { code: string, people_id: string, purpose: InvitationPurpose, expires_at: Timestamp, };

export type InvitationPurpose = "invite" | "reset";

export type FirstAdministrator = { first_name: string, last_name: string, email: string | null, password: string, 
/**
 * The password typed a second time.
 */
password_again: string, };

export type DemoSummary = { campuses: number, people: number, households: number, courses: number, enrollments: number, admin_person_id: string, };

export type RecordKind = "people" | "household" | "campus" | "role" | "people_campus" | "people_role" | "special_requirement" | "pickup_contact" | "facility" | "course" | "course_offering" | "assessment" | "assessment_attempt" | "course_module" | "content" | "content_type" | "course_prerequisite" | "course_role" | "class_session" | "certification" | "certification_course" | "certification_progress" | "certification_record" | "course_enrollment" | "content_completion" | "attendance_record";

export type ListQuery = { filters: Array<[string, JsonValue]>, include_inactive: boolean, order_by: string | null, descending: boolean, limit: number | null, offset: number, };

export type Page<T> = { items: Array<T>, total: number, limit: number, offset: number, };

export type CourseDetail = { course: Course, prerequisites: Array<Course>, modules: Array<ModuleOutline>, 
/**
 * Content that belongs to no module, in `order_sequence`.
 */
unassigned_content: Array<Content>, content_types: Array<ContentType>, 
/**
 * Empty unless the actor may read enrollments.
 */
enrollments: Array<EnrollmentLine>, course_roles: Array<CourseRoleLine>, sessions: Array<ClassSession>, 
/**
 * Its offerings, earliest first (the first offering, made with the course, among them).
 */
offerings: Array<CourseOffering>, };

export type CachedEvent = { id: string, planning_center_event_id: string, event_name: string, event_description: string | null, start_date: string | null, end_date: string | null, max_capacity: number | null, current_registrations_count: number, registration_deadline: string | null, event_status: string | null, 
/**
 * The local course this event is mapped to, if any.
 */
course_id: string | null, last_synced_at: Timestamp | null, created_at: Timestamp, updated_at: Timestamp, };

export type ModuleOutline = { module: CourseModule, 
/**
 * In `order_sequence`.
 */
lessons: Array<Content>, };

export type EnrollmentLine = { enrollment: CourseEnrollment, person_name: string, completed_content_ids: Array<string>, 
/**
 * Sessions of the enrollment's offering the person was marked absent from.
 */
absences: number, 
/**
 * Sessions of that offering they were present or late at.
 */
sessions_attended: number, 
/**
 * Absences reached the course's threshold (or the office's, 3 unless set).
 */
absence_warning: boolean, };

export type CourseRoleLine = { role: CourseRole, person_name: string, };

export type PersonDetail = { person: Person, household: Household | null, 
/**
 * The other active members of the household.
 */
household_members: Array<Person>, campuses: Array<[PeopleCampus, Campus]>, 
/**
 * Empty unless the actor may read roles.
 */
roles: Array<[PeopleRole, Role]>, 
/**
 * Only those the actor may see (confidential ones need their own permission).
 */
special_requirements: Array<SpecialRequirement>, enrollments: Array<PersonEnrollment>, attendance: Array<AttendanceRecord>, 
/**
 * Whether they have a password on the church's computers; told only to those who invite
 * people to sign in (`None` for everyone else).
 */
has_password: boolean | null, };

export type PersonEnrollment = { enrollment: CourseEnrollment, course_name: string, 
/**
 * Which running of the course: a person who retook it has one line for each.
 */
offering_name: string, };

export type HouseholdMove = { "to": "existing", household_id: string, } | { "to": "new", name: string, } | { "to": "none" };

export type EnrollRequest = { people_id: string, course_id: string, 
/**
 * The offering to enroll in; when `None`, the course's next offering.
 */
offering_id: string | null, notes: string | null, 
/**
 * Set to enroll someone who lacks prerequisites; needs the override permission.
 */
override_reason: string | null, };

export type CompletionInput = { course_enrollment_id: string, content_id: string, completed_at: Timestamp | null, time_spent_minutes: number | null, score: number | null, notes: string | null, };

export type MarkAttendance = { class_session_id: string, people_id: string, status: AttendanceStatus, notes: string | null, };

export type RosterLine = { people_id: string, person_name: string, enrollment_id: string | null, attendance: AttendanceRecord | null, };

export type CertificationStanding = { progress: CertificationProgress, person_name: string, certification_name: string, } & ({ "standing": "in_progress" } | { "standing": "current" } | { "standing": "expiring_soon", days_left: number, } | { "standing": "expired" });

export type StandingFilter = "all" | "expiring_soon" | "expired";

export type HistoryLine = { record: CertificationRecord, certification_name: string, 
/**
 * The courses (and their offerings) it rests on.
 */
completions: Array<string>, 
/**
 * The latest record: the one the standing comes from.
 */
is_latest: boolean, };

export type OfferingSummary = { offering: CourseOffering, phase: OfferingPhase, room: string | null, campus: string | null, registered: number, waitlisted: number, completed: number, sessions: number, teachers: Array<string>, };

export type AttemptInput = { course_enrollment_id: string, assessment_id: string, 
/**
 * 0–100.
 */
score: number, feedback: string | null, 
/**
 * When it was taken; now if not given.
 */
submitted_at: Timestamp | null, };

export type RenewalDue = { people_id: string, person_name: string, certification_id: string, certification_name: string, expires_on: string | null, 
/**
 * The course that renews it: its refresher if the office named one, else its course.
 */
renewal_course_id: string | null, renewal_course_name: string | null, 
/**
 * The offering *Enroll in the next offering* enrolls them in.
 */
next_offering_id: string | null, next_offering_name: string | null, next_offering_starts_on: string | null, 
/**
 * The offering they are already enrolled in to renew, if they are.
 */
enrolled_in: string | null, } & ({ "standing": "in_progress" } | { "standing": "current" } | { "standing": "expiring_soon", days_left: number, } | { "standing": "expired" });

export type Standing = { "standing": "in_progress" } | { "standing": "current" } | { "standing": "expiring_soon", days_left: number, } | { "standing": "expired" };

export type OfficeRules = { 
/**
 * Absences at which an enrollment is flagged for follow-up, unless its course sets its own.
 */
absence_warning_threshold: number, 
/**
 * Days before expiry a certification lists as expiring soon.
 */
expiring_soon_days: number, 
/**
 * Minutes without use after which the window locks and asks for a password again.
 */
idle_lock_minutes: number, 
/**
 * Whether someone without the certification a session asks of those who serve is refused
 * at check-in (else they are warned, and the office sees it on the room view).
 */
refuse_uncertified_serving: boolean, };

export type ChurchSetting = { key: string, value: unknown, updated_at: string, updated_by: string | null, updated_by_name: string | null, 
/**
 * `None` for a computer that had no name (it had never joined a team when it was set).
 */
set_on_computer: string | null, };

export type AuditEntry = { id: string, table_name: string, record_id: string, action: string, old_values: JsonValue | null, new_values: JsonValue | null, reason: string | null, changed_by: string | null, changed_at: string, ip_address: string | null, user_agent: string | null, 
/**
 * Who made the change, by name (`None` for the system: demo loading, sync).
 */
changed_by_name: string | null, 
/**
 * The computer it was made on (the church's audit trail holds every computer's rows).
 */
device_id: string | null, 
/**
 * That computer's name; `None` for a computer never named (one not in a team).
 */
device_name: string | null, 
/**
 * Made on this computer.
 */
on_this_computer: boolean, };

export type AuditComputer = { device_id: string, device_name: string | null, on_this_computer: boolean, };

export type AuditQuery = { table_name: string | null, record_id: string | null, changed_by: string | null, 
/**
 * Only what was done on this computer (a device id of the team).
 */
device_id: string | null, 
/**
 * Changes to this person's record or to records about them (their enrollments, roles,
 * attendance, ...), by whoever made them.
 */
about_person: string | null, limit: number | null, offset: number, };

export type CsvKind = "people" | "enrollments";

export type ImportReport = { rows: Array<RowOutcome>, applied: number, failed: number, 
/**
 * Whether the rows that applied were kept (false for a preview).
 */
committed: boolean, 
/**
 * The import stopped early; batches before the stop are kept.
 */
cancelled: boolean, 
/**
 * Columns of the file this import does not use (shown so a typo is noticed).
 */
ignored_columns: Array<string>, };

export type RowOutcome = { 
/**
 * The line in the file (the header is line 1).
 */
line: number, 
/**
 * Who or what the row is about, for the preview table.
 */
summary: string, 
/**
 * `created`, `updated` or `enrolled` when it applies.
 */
action: string | null, error: ErrorReport | null, };

export type ImportProgress = { done: number, total: number, };

export type FamilySearch = { families: Array<Family>, 
/**
 * False when more people matched than were looked at: the volunteer should keep typing.
 */
complete: boolean, };

export type Family = { household_id: string | null, name: string, members: Array<FamilyMember>, };

export type FamilyMember = { person: StationPerson, is_child: boolean, 
/**
 * Whether they are in the session searched for, or have left it. Never a code: a
 * passer-by can read the station's screen.
 */
presence: Presence | null, 
/**
 * Only those the volunteer's role may see.
 */
special_requirements: Array<SpecialRequirement>, };

export type StationPerson = { id: string, first_name: string, last_name: string, nickname: string | null, };

export type Presence = { checked_in_at: Timestamp | null, checked_out_at: Timestamp | null, };

export type Pickup = { children: Array<PickupChild>, };

export type PickupChild = { people_id: string, name: string, class_session_id: string, session: string, checked_out: boolean, 
/**
 * The adults of the child's household, and others the office named.
 */
may_collect: Array<PickupPerson>, 
/**
 * People the office named who must not collect the child.
 */
must_not_collect: Array<PickupPerson>, };

export type PickupPerson = { people_id: string | null, name: string, relationship: string | null, 
/**
 * Only for roles allowed confidential notes (a custody order's terms).
 */
note: string | null, };

export type Collector = { people_id: string | null, name: string, };

export type Released = { 
/**
 * Names of the children released now.
 */
released: Array<string>, 
/**
 * Names of those already released earlier (nothing changed for them).
 */
already_released: Array<string>, };

export type RoomNow = { session: ClassSession, room: string | null, 
/**
 * The session's own capacity, else its room's.
 */
capacity: number | null, children_in: number, adults_serving: number, 
/**
 * Everyone checked in and not yet gone.
 */
in_now: number, left: number, full: boolean, over_ratio: boolean, people: Array<RoomPerson>, };

export type RoomPerson = { people_id: string, name: string, is_child: boolean, serving: boolean, 
/**
 * Serving without the certification the session asks for, valid on the day.
 */
serving_uncertified: boolean, checked_in_at: Timestamp | null, checked_out_at: Timestamp | null, release_method: ReleaseMethod | null, release_reason: string | null, collected_by: string | null, 
/**
 * Allergies and medical notes the reader may see, most severe first.
 */
alerts: Array<string>, };

export type StaffApproval = { email: string, password: string, reason: string, };

export type Label = { people_id: string, name: string, session: string, 
/**
 * The session's room, where the child is taken.
 */
room: string | null, security_code: string | null, 
/**
 * Short text of what the volunteer must know (allergies first).
 */
alerts: Array<string>, };

export type GuardianTag = { security_code: string, children: Array<string>, };

export type CheckInResult = { labels: Array<Label>, guardian_tag: GuardianTag | null, 
/**
 * Names of people who were already checked in: nothing changed for them, and nothing is
 * given that would let someone collect them.
 */
already_checked_in: Array<string>, 
/**
 * What the volunteer must know now: a ratio passed, someone serving without their
 * certification.
 */
warnings: Array<string>, 
/**
 * The labels laid out at the station's label size, as they print: the screen draws these.
 */
layouts: Array<LabelLayout>, };

export type VisitorInput = { first_name: string, last_name: string, phone: string | null, email: string | null, date_of_birth: string | null, 
/**
 * Add to this household (a family already here) instead of a new one.
 */
household_id: string | null, 
/**
 * The volunteer saw the possible duplicates and says this is someone new.
 */
confirmed_new: boolean, };

export type VisitorOutcome = { "outcome": "added", person: Person, } | { "outcome": "possible_duplicates", candidates: Array<Person>, };

export type KioskStart = { campus_id: string, session_ids: Array<string>, station: string, pin: string, 
/**
 * The PIN typed a second time: kiosk mode is never entered by a slip of the mouse.
 */
pin_again: string, 
/**
 * Families check themselves in (see [`KioskConfig::self_check_in`]).
 */
self_check_in: boolean, 
/**
 * The label printer and label size (see [`KioskConfig::printer`]).
 */
printer?: PrinterChoice, };

export type KioskView = { campus: Campus, sessions: Array<ClassSession>, station: string, started_at: Timestamp, letter_check: StationLetterCheck, 
/**
 * The computer that holds the letter, when that is not this laptop.
 */
letter_holder: string | null, self_check_in: boolean, printer: PrinterChoice | null, };

export type StationLetterCheck = "held_by_this_laptop" | "not_confirmed" | "taken_by_another" | "no_team";

export type Readiness = { station: string, last_roster_refresh: string | null, pending_changes: number, sessions: Array<SessionReadiness>, 
/**
 * The label printer and label size, in words; none when labels show on screen only.
 */
printer: string | null, 
/**
 * The print queue's state, when the station has a printer.
 */
print_queue: PrintQueueView | null, };

export type SessionReadiness = { session: ClassSession, checked_in: number, };

export type LabelSize = "zebra2x1" | "zebra4x2" | "dymo30252" | "dymo30256" | "brother_dk1201" | "brother62" | "avery_letter10";

export type PrinterChoice = { connection: PrinterConnection, size: LabelSize, };

export type PrinterConnection = { "kind": "network", host: string, port: number, } | { "kind": "queue", name: string, };

export type PrinterAnswer = { message: string, };

export type LabelLayout = { width: number, height: number, items: Array<LabelItem>, 
/**
 * Fields that had to be shortened with "…" or left off (for example `name`, `alerts`).
 */
shortened: Array<string>, 
/**
 * The embedded font's ascent and line height per unit of font size, so the screen puts a
 * text's baseline (`y + size * ascent`) where the printers do.
 */
ascent: number, line_height: number, };

export type LabelItem = { "kind": "text", x: number, y: number, width: number, size: number, bold: boolean, text: string, } | { "kind": "mark", x: number, y: number, width: number, height: number, size: number, text: string, } | { "kind": "qr", x: number, y: number, size: number, data: string, rows: Array<string>, } | { "kind": "code128", x: number, y: number, width: number, height: number, data: string, modules: string, };

export type PrinterTest = { answer: PrinterAnswer | null, layout: LabelLayout, };

export type ReportFilter = { campus_id: string | null, course_id: string | null, 
/**
 * `YYYY-MM-DD`, a local day.
 */
from: string, to: string, };

export type Count = { label: string, count: number, };

export type AttendanceReport = { 
/**
 * The Monday of each week, `YYYY-MM-DD`.
 */
weeks: Array<string>, total: Array<number>, 
/**
 * The same weeks a year (52 weeks) earlier.
 */
year_before: Array<number>, 
/**
 * The busiest first.
 */
by_course: Array<Series>, by_room: Array<Series>, by_campus: Array<Series>, };

export type Series = { name: string, counts: Array<number>, total: number, };

export type VisitorReport = { weeks: Array<VisitorWeek>, first_timers: number, came_back: number, came_back_within_days: number, 
/**
 * Those not yet come back first, then the latest, at most 500. Empty unless the reader may
 * read people.
 */
follow_up: Array<Visitor>, follow_up_shown: boolean, };

export type VisitorWeek = { 
/**
 * The week's Monday.
 */
week: string, first_timers: number, came_back: number, };

export type Visitor = { people_id: string, name: string, 
/**
 * The local day of their first visit.
 */
first_visit: string, came_back: boolean, phone: string | null, email: string | null, };

export type FunnelReport = { 
/**
 * The most enrolled first.
 */
courses: Array<CourseFunnel>, };

export type CourseFunnel = { course_id: string, course: string, enrolled: number, 
/**
 * In progress or completed.
 */
started: number, completed: number, dropped: number, median_days_to_complete: number | null, 
/**
 * The step most often not done by those still enrolled, and how many stopped there.
 */
stalled_at: Count | null, };

export type CertificationReport = { 
/**
 * `YYYY-MM`, this month and the 11 after it.
 */
expiring_by_month: Array<Count>, expired: number, 
/**
 * Per certification: how many have expired.
 */
expired_by_certification: Array<Count>, served_without: number, 
/**
 * The latest first, at most 200. Empty unless the reader may read people.
 */
served_without_list: Array<ServedWithout>, };

export type ServedWithout = { name: string, session: string, 
/**
 * The local day they served.
 */
day: string, certification: string | null, };

export type RoomsReport = { sessions: Array<RoomSession>, session_count: number, over_capacity: number, ratio_missed: number, released_without_code: number, };

export type RoomSession = { session: string, starts_at: string, room: string | null, capacity: number | null, children_per_adult: number | null, 
/**
 * Checked in, not serving.
 */
children: number, 
/**
 * Checked in to serve.
 */
adults: number, over_capacity: boolean, 
/**
 * None when the session sets no ratio.
 */
ratio_met: boolean | null, released_without_code: number, };

export type ReportKind = "attendance" | "visitors" | "funnel" | "certifications" | "rooms";

export type OsPrinter = { name: string, is_default: boolean, 
/**
 * The queue's state in its own words ("idle", "disabled since …").
 */
state: string, };

export type PrintQueueView = { waiting: number, 
/**
 * The last refusal of a job still waiting.
 */
last_error: string | null, jobs: Array<PrintJobView>, };

export type PrintJobView = { id: string, description: string, 
/**
 * `waiting`, `printed` or `cancelled`.
 */
state: string, attempts: number, last_error: string | null, made_at: string, printed_at: string | null, };

export type StationPrinters = { printers: Array<OsPrinter>, 
/**
 * The printer and size the last station on this computer used.
 */
remembered: PrinterChoice | null, sizes: Array<LabelSizeChoice>, };

export type LabelSizeChoice = { size: LabelSize, name: string, };

export type UpdateInfo = { version: string, current_version: string, 
/**
 * Release notes, as the manifest gives them.
 */
notes: string | null, date: string | null, };

export type UpdateStatus = { current_version: string, 
/**
 * Where the app looks for updates.
 */
endpoint: string, 
/**
 * Whether that address is the office's own rather than the one built in.
 */
custom_endpoint: boolean, last_checked_at: string | null, available: UpdateInfo | null, 
/**
 * The available update is downloaded and verified, ready to install.
 */
downloaded: boolean, };

export type UpdateProgress = { downloaded: number, total: number | null, };

export type BackupStatus = { folder: string | null, keep: number, 
/**
 * Whether this computer's keychain holds the recovery passphrase (never the passphrase).
 */
passphrase_set: boolean, last_good: LastBackup | null, 
/**
 * Hours since the last good backup, rounded down.
 */
last_good_age_hours: number | null, 
/**
 * The last backup that failed, if none has succeeded since.
 */
last_failure: Failure | null, 
/**
 * This computer's backups found in the folder, newest first.
 */
in_folder: Array<string>, };

export type BackupSetup = { folder: string, 
/**
 * Required the first time; `None` keeps the one already set.
 */
passphrase: string | null, keep: number | null, };

export type LastBackup = { path: string, made_at: string, bytes: number, people: number, 
/**
 * Why it was made: `daily`, `on demand`, `before an upgrade`, `before an update`.
 */
reason: string, };

export type Failure = { at: string, message: string, };

export type BackupProgress = { 
/**
 * `copying`, then `checking`.
 */
phase: string, 
/**
 * Bytes of the backup written so far, against the database's size (a backup holds no
 * free pages, so it ends at or below it).
 */
done_bytes: number, total_bytes: number, };

export type BackupContents = { path: string, people: number, rows: number, 
/**
 * The latest change recorded in it (its audit log), in RFC 3339; `None` for an empty one.
 */
latest_change_at: string | null, };

export type Restored = { contents: BackupContents, 
/**
 * Where the replaced database was moved (never deleted); `None` when there was none.
 */
set_aside: string | null, };

export type TeamStatus = { membership: DeviceMembership, unsent_changes: number, waiting: Array<WaitingChange>, 
/**
 * The latest records folded into the same record made on another computer, and how many
 * have been folded here in all.
 */
folds: Array<FoldMade>, folds_total: number, syncing: boolean, };

export type DeviceMembership = { device_id: string, device_name: string, 
/**
 * The hub's connection string without its password; none until the device joins.
 */
hub_url: string | null, church_id: string | null, campus_scope: string | null, pull_cursor: number, joined_at: string | null, last_push_at: string | null, last_pull_at: string | null, last_error: string | null, 
/**
 * Restored from a backup: the next pulls also bring back this device's own changes made
 * after that backup, which it lost with the database it replaced.
 */
catch_up_own_changes: boolean, };

export type WaitingChange = { table_name: string, record_id: string, device_id: string, reason: string, attempts: number, };

export type FoldMade = { table_name: string, kept_id: string, folded_id: string, folded_at: string, };

export type TeamDevice = { device_id: string, name: string, campus_scope: string | null, joined_at: string, last_contact_at: string | null, 
/**
 * Changes the device held unsent when it last reported.
 */
unsent_changes: number, 
/**
 * Changes from other devices the hub holds that it has not pulled yet (the latest
 * snapshot's, and the log's after it, for a computer behind the pruned part of the log).
 */
changes_to_pull: number, removed_at: string | null, };

export type CompactionStatus = { snapshot: Snapshot | null, 
/**
 * Changes up to this sequence number are no longer in the hub's log.
 */
pruned_through: number, 
/**
 * Changes compaction removed from the log, in all.
 */
pruned_changes: number, 
/**
 * Changes the log holds now.
 */
log_changes: number, };

export type Snapshot = { made_at: string, 
/**
 * The computer whose sync made it.
 */
made_by: string, through_seq: number, 
/**
 * The changes it stands for, and the ones it keeps.
 */
changes_before: number, changes_kept: number, took_ms: number, };

export type ExchangeReport = { pushed: number, pulled: number, 
/**
 * Pulled changes that wait for a record they refer to, or clash with one made separately.
 */
waiting: number, 
/**
 * Pulled records that were the same thing as one here (the same person enrolled in the
 * same course on two laptops offline), folded into it.
 */
folded: number, 
/**
 * Planning Center webhook events the hub's receiver stored, copied here to be acted on.
 */
webhook_events: number, 
/**
 * Audit rows of this computer sent to the church's audit trail.
 */
audit_rows_sent: number, 
/**
 * Audit rows of the other computers brought here.
 */
audit_rows_received: number, 
/**
 * The hub made a new snapshot of the church during this sync (see `compaction`).
 */
made_snapshot: boolean, 
/**
 * Changes the hub pruned from its log during this sync.
 */
pruned: number, };

export type ExchangeProgress = { phase: string, done: number, total: number, };

export type PlanningCenterStatus = { base_url: string, 
/**
 * The sign-in whose secrets are really in the keychain; `None` means sign in (again).
 */
sign_in: SignIn | null, 
/**
 * Why the keychain could not be read, when it could not.
 */
keychain_problem: string | null, demo_mode: boolean, syncing: boolean, pending_changes: number, problems: Array<OutboxProblem>, 
/**
 * The latest fields where this computer and Planning Center disagreed, and who won.
 */
conflicts: Array<SyncConflict>, possible_duplicates: Array<PossibleDuplicate>, 
/**
 * The latest person merges made in Planning Center and applied here.
 */
recent_merges: Array<AppliedMerger>, 
/**
 * The latest Planning Center webhook events this computer copied from the team hub.
 */
recent_webhook_events: Array<WebhookEventSummary>, recent_runs: Array<SyncRun>, 
/**
 * Planning Center's custom fields (as last pulled) and which ones receive what.
 */
field_definitions: Array<FieldDefinition>, completions_field: string | null, certifications_field: string | null, 
/**
 * Planning Center's workflows (as last pulled) and the one a completed course puts people on.
 */
workflows: Array<Workflow>, completions_workflow: string | null, renewals_workflow: string | null, };

export type FieldDefinition = { id: string, name: string, data_type: string | null, };

export type Workflow = { id: string, name: string, };

export type SignIn = { "kind": "oauth" } | { "kind": "personal_access_token", app_id: string, };

export type FieldTarget = "completions" | "certifications" | "completions_workflow" | "renewals_workflow";

export type SyncRun = { id: string, sync_type: string, sync_direction: Direction, records_processed: number, records_successful: number, records_failed: number, error_details: JsonValue | null, started_at: Timestamp, completed_at: Timestamp | null, created_by: string | null, };

export type Direction = "from_pc" | "to_pc";

export type OutboxProblem = { id: string, table_name: string, record_id: string, status: string, last_error: string | null, attempts: number, updated_at: string, };

export type SyncConflict = { id: string, table_name: string, record_id: string, field: string, 
/**
 * The values as a person reads them; `None` for an empty field.
 */
local_value: string | null, remote_value: string | null, resolution: string, detected_at: Timestamp, };

export type PossibleDuplicate = { id: string, people_id: string, 
/**
 * The local person's name, for the question "is this the same person?".
 */
person_name: string | null, candidates: Array<DuplicateCandidate>, status: DuplicateStatus, linked_planning_center_id: string | null, resolved_by: string | null, resolved_at: Timestamp | null, created_at: Timestamp, };

export type AppliedMerger = { planning_center_id: string, person_to_keep_id: string, person_to_remove_id: string, merged_at: Timestamp | null, applied_at: Timestamp, outcome: string, kept_people_id: string | null, removed_people_id: string | null, 
/**
 * The names the two records had here, for the office to recognise them.
 */
kept_name: string | null, removed_name: string | null, moved: number, folded: number, };

export type WebhookEventSummary = { event_type: string, planning_center_id: string | null, processed: boolean, error_message: string | null, created_at: Timestamp, };

export type DuplicateCandidate = { planning_center_id: string, name: string, email: string | null, phone: string | null, birthdate: string | null, reason: string, };

export type DuplicateStatus = "open" | "linked" | "create_new";

export type DuplicateResolution = { "decision": "link", planning_center_id: string, } | { "decision": "create_new" };

export type Progress = { phase: Phase, done: number, total: number | null, };

export type Phase = "idle" | "pull_people" | "push" | "reference_data" | "registrations" | "reconcile";

export type SyncReport = { pulled_people: number, 
/**
 * Planning Center merges that moved records here (both people, or the one removed, were here).
 */
merged_people: number, 
/**
 * People whose background check standing changed.
 */
background_checks: number, pushed: number, push_failures: number, registrations: number, 
/**
 * Workflow cards made for certifications due for renewal.
 */
renewal_cards: number, reconciled: boolean, errors: Array<string>, };

export type Subscribed = { receiver_url: string, created: Array<string>, already_subscribed: Array<string>, secrets_file: string, };

