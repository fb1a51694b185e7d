// Typed wrappers over the Rust commands. Every type comes from ./bindings, generated from Rust.
import { invoke } from "@tauri-apps/api/core";
import type * as B from "./bindings";

export type * from "./bindings";
export type SyncProgress = B.Progress;

export { hasCode, isErrorReport } from "./errors";

/// The record type each `RecordKind` stands for.
export interface RecordOf {
  people: B.Person;
  household: B.Household;
  campus: B.Campus;
  role: B.Role;
  people_campus: B.PeopleCampus;
  people_role: B.PeopleRole;
  special_requirement: B.SpecialRequirement;
  pickup_contact: B.PickupContact;
  facility: B.Facility;
  course: B.Course;
  course_module: B.CourseModule;
  content: B.Content;
  content_type: B.ContentType;
  course_prerequisite: B.CoursePrerequisite;
  course_role: B.CourseRole;
  class_session: B.ClassSession;
  certification: B.Certification;
  certification_course: B.CertificationCourse;
  course_offering: B.CourseOffering;
  assessment: B.Assessment;
  assessment_attempt: B.AssessmentAttempt;
  certification_record: B.CertificationRecord;
  certification_progress: B.CertificationProgress;
  course_enrollment: B.CourseEnrollment;
  content_completion: B.ContentCompletion;
  attendance_record: B.AttendanceRecord;
}
type Kind = B.RecordKind & keyof RecordOf;
/// What a form sends: the store fills in ids, timestamps and defaults.
export type Draft<K extends Kind> = Partial<RecordOf[K]>;

export const api = {
  appStatus: () => invoke<B.AppStatus>("app_status"),
  loadDemoChurch: () => invoke<B.DemoSummary>("load_demo_church"),
  searchPeople: (query: string) => invoke<B.Person[]>("search_people", { query }),
  listCourses: () => invoke<B.Course[]>("list_courses"),
};

/// Who uses the app on this computer: the sign-in screen, the idle lock, invitations.
export const session = {
  startupProblem: () => invoke<B.ErrorReport | null>("startup_problem"),
  retryStart: () => invoke<void>("retry_start"),
  recoveryBackups: () => invoke<B.BackupStatus>("recovery_backups"),
  restoreAtStart: (file: string | null, passphrase: string) => invoke<B.Restored>("restore_at_start", { file, passphrase }),
  startAfresh: () => invoke<string | null>("start_afresh"),
  setUpOffice: (first: B.FirstAdministrator) => invoke<B.SignedIn>("set_up_office", { first }),
  screen: () => invoke<B.SignInScreen>("sign_in_screen"),
  signIn: (who: B.Who, password: string) => invoke<B.SignedIn>("sign_in", { who, password }),
  signInToDemo: () => invoke<B.SignedIn>("sign_in_to_demo"),
  unlock: (password: string) => invoke<B.SignedIn>("unlock", { password }),
  acceptInvitation: (code: string, password: string, passwordAgain: string) => invoke<B.SignedIn>("accept_invitation", { code, password, passwordAgain }),
  setFirstPassword: (password: string, passwordAgain: string) => invoke<B.SignedIn>("set_first_password", { password, passwordAgain }),
  stillHere: () => invoke<void>("still_here"),
  lock: () => invoke<void>("lock"),
  signOut: () => invoke<void>("sign_out"),
  invite: (peopleId: string, purpose: B.InvitationPurpose) => invoke<B.Invitation>("invite_to_sign_in", { peopleId, purpose }),
};

export const records = {
  list: <K extends Kind>(kind: K, query: Partial<B.ListQuery> = {}) => invoke<B.Page<RecordOf[K]>>("list_records", { kind, query }),
  get: <K extends Kind>(kind: K, id: string) => invoke<RecordOf[K]>("get_record", { kind, id }),
  create: <K extends Kind>(kind: K, record: Draft<K>) => invoke<RecordOf[K]>("create_record", { kind, record }),
  update: <K extends Kind>(kind: K, record: RecordOf[K]) => invoke<RecordOf[K]>("update_record", { kind, record }),
  deactivate: <K extends Kind>(kind: K, id: string) => invoke<RecordOf[K]>("deactivate_record", { kind, id }),
};

export const reports = {
  attendance: (filter: B.ReportFilter) => invoke<B.AttendanceReport>("report_attendance", { filter }),
  visitors: (filter: B.ReportFilter) => invoke<B.VisitorReport>("report_visitors", { filter }),
  funnel: (filter: B.ReportFilter) => invoke<B.FunnelReport>("report_funnel", { filter }),
  certifications: (filter: B.ReportFilter) => invoke<B.CertificationReport>("report_certifications", { filter }),
  rooms: (filter: B.ReportFilter) => invoke<B.RoomsReport>("report_rooms", { filter }),
  exportCsv: (kind: B.ReportKind, filter: B.ReportFilter) => invoke<string>("export_report_csv", { kind, filter }),
};

export const rooms = {
  today: () => invoke<B.RoomNow[]>("rooms_today"),
};

export const office = {
  courseDetail: (courseId: string) => invoke<B.CourseDetail>("course_detail", { courseId }),
  personDetail: (peopleId: string) => invoke<B.PersonDetail>("person_detail", { peopleId }),
  moveToHousehold: (peopleId: string, to: B.HouseholdMove) => invoke<B.Person>("move_to_household", { peopleId, to }),
  addPrerequisite: (courseId: string, prerequisiteCourseId: string) => invoke<B.CoursePrerequisite>("add_prerequisite", { courseId, prerequisiteCourseId }),
  removePrerequisite: (prerequisiteId: string) => invoke<B.CoursePrerequisite>("remove_prerequisite", { prerequisiteId }),
  enroll: (request: Pick<B.EnrollRequest, "people_id" | "course_id"> & Partial<B.EnrollRequest>) => invoke<B.CourseEnrollment>("enroll", { request }),
  dropEnrollment: (enrollmentId: string) => invoke<B.CourseEnrollment>("drop_enrollment", { enrollmentId }),
  completeContent: (input: Pick<B.CompletionInput, "course_enrollment_id" | "content_id"> & Partial<B.CompletionInput>) => invoke<B.CourseEnrollment>("complete_content", { input }),
  undoCompletion: (courseEnrollmentId: string, contentId: string) => invoke<B.CourseEnrollment>("undo_completion", { courseEnrollmentId, contentId }),
  sessionRoster: (classSessionId: string) => invoke<B.RosterLine[]>("session_roster", { classSessionId }),
  markAttendance: (input: Pick<B.MarkAttendance, "class_session_id" | "people_id" | "status"> & Partial<B.MarkAttendance>) => invoke<B.AttendanceRecord>("mark_attendance", { input }),
  certificationStandings: (filter: B.StandingFilter) => invoke<B.CertificationStanding[]>("certification_standings", { filter }),
  recordAttempt: (input: Pick<B.AttemptInput, "course_enrollment_id" | "assessment_id" | "score"> & Partial<B.AttemptInput>) => invoke<B.CourseEnrollment>("record_assessment_attempt", { input }),
  planningCenterSignups: () => invoke<B.CachedEvent[]>("planning_center_signups"),
  courseOfferings: (courseId: string) => invoke<B.OfferingSummary[]>("course_offerings", { courseId }),
  certificationHistory: (peopleId: string) => invoke<B.HistoryLine[]>("certification_history", { peopleId }),
  renewalsDue: () => invoke<B.RenewalDue[]>("renewals_due"),
  enrollForRenewal: (peopleId: string, certificationId: string) => invoke<B.CourseEnrollment>("enroll_for_renewal", { peopleId, certificationId }),
  auditLog: (query: Partial<B.AuditQuery>) => invoke<B.AuditEntry[]>("audit_log", { query }),
  auditComputers: () => invoke<B.AuditComputer[]>("audit_computers"),
  rules: () => invoke<B.OfficeRules>("office_rules"),
  churchSettings: () => invoke<B.ChurchSetting[]>("church_settings"),
  setRules: (rules: B.OfficeRules) => invoke<B.OfficeRules>("set_office_rules", { rules }),
};

export const transfer = {
  preview: (kind: B.CsvKind, text: string) => invoke<B.ImportReport>("preview_import", { kind, text }),
  run: (kind: B.CsvKind, text: string) => invoke<B.ImportReport>("run_import", { kind, text }),
  cancel: () => invoke<void>("cancel_import"),
  export: (kind: B.CsvKind) => invoke<string>("export_csv", { kind }),
};

export const kiosk = {
  start: (request: B.KioskStart) => invoke<B.KioskView>("start_kiosk", { request }),
  leave: (pin: string) => invoke<void>("leave_kiosk", { pin }),
  status: () => invoke<B.KioskView | null>("kiosk_status"),
  search: (text: string, classSessionId: string) => invoke<B.FamilySearch>("kiosk_search", { text, classSessionId }),
  findFamily: (text: string, classSessionId: string) => invoke<B.FamilySearch>("kiosk_find_family", { text, classSessionId }),
  checkIn: (classSessionId: string, peopleIds: string[], approval: B.StaffApproval | null = null, serving = false) => invoke<B.CheckInResult>("kiosk_check_in", { classSessionId, peopleIds, approval, serving }),
  checkOut: (classSessionId: string, peopleId: string) => invoke<B.AttendanceRecord>("kiosk_check_out", { classSessionId, peopleId }),
  reprint: (classSessionId: string, peopleId: string, code: string | null, approval: B.StaffApproval | null = null) => invoke<B.CheckInResult>("kiosk_reprint", { classSessionId, peopleId, code, approval }),
  pickup: (code: string) => invoke<B.Pickup>("kiosk_pickup", { code }),
  release: (code: string, peopleIds: string[], collectedBy: B.Collector | null) => invoke<B.Released>("kiosk_release", { code, peopleIds, collectedBy }),
  staffRelease: (classSessionId: string, peopleIds: string[], collectedBy: B.Collector | null, approval: B.StaffApproval) => invoke<B.Released>("kiosk_staff_release", { classSessionId, peopleIds, collectedBy, approval }),
  addVisitor: (visitor: B.VisitorInput) => invoke<B.VisitorOutcome>("kiosk_add_visitor", { visitor }),
  readiness: () => invoke<B.Readiness>("kiosk_readiness"),
  printNow: () => invoke<number>("kiosk_print_now"),
  cancelPrint: (jobId: string) => invoke<null>("kiosk_print_cancel", { jobId }),
  printerTest: () => invoke<B.PrinterTest>("kiosk_printer_test"),
  printers: () => invoke<B.StationPrinters>("station_printers"),
};

export const updates = {
  status: () => invoke<B.UpdateStatus>("update_status"),
  check: () => invoke<B.UpdateInfo | null>("check_for_update"),
  checkOnStart: () => invoke<B.UpdateInfo | null>("check_for_update_on_start"),
  download: () => invoke<void>("download_update"),
  installAndRestart: () => invoke<void>("install_update_and_restart"),
  setEndpoint: (endpoint: string | null) => invoke<void>("set_update_endpoint", { endpoint }),
};

/// Backups to a folder, encrypted with the recovery passphrase, and restores.
export const backups = {
  status: () => invoke<B.BackupStatus>("backup_status"),
  setUp: (setup: B.BackupSetup) => invoke<B.BackupStatus>("set_up_backups", { setup }),
  backUpNow: () => invoke<B.LastBackup>("back_up_now"),
  inspect: (file: string, passphrase: string) => invoke<B.BackupContents>("inspect_backup", { file, passphrase }),
  restore: (file: string, passphrase: string) => invoke<B.Restored>("restore_backup", { file, passphrase }),
  restoreOnFirstRun: (file: string, passphrase: string) => invoke<B.Restored>("restore_on_first_run", { file, passphrase }),
};

export const team = {
  status: () => invoke<B.TeamStatus>("team_status"),
  devices: () => invoke<B.TeamDevice[]>("team_devices"),
  compaction: () => invoke<B.CompactionStatus>("team_compaction"),
  create: (hubAddress: string, hubPassword: string, churchName: string, deviceName: string) => invoke<B.ExchangeReport>("create_team", { hubAddress, hubPassword, churchName, deviceName }),
  join: (hubAddress: string, hubPassword: string, joinCode: string, deviceName: string) => invoke<B.ExchangeReport>("join_team", { hubAddress, hubPassword, joinCode, deviceName }),
  makeJoinCode: (campusId: string | null, validHours: number, mayAddDevices: boolean) => invoke<string>("make_join_code", { campusId, validHours, mayAddDevices }),
  removeDevice: (deviceId: string) => invoke<void>("remove_team_device", { deviceId }),
  leave: () => invoke<void>("leave_team"),
  syncNow: () => invoke<B.ExchangeReport>("sync_team_now"),
};

export const pco = {
  status: () => invoke<B.PlanningCenterStatus>("planning_center_status"),
  signInWithBrowser: () => invoke<void>("sign_in_with_browser"),
  signInWithToken: (appId: string, secret: string) => invoke<void>("sign_in_with_token", { appId, secret }),
  signOut: () => invoke<void>("sign_out_of_planning_center"),
  syncNow: () => invoke<B.SyncReport>("sync_now"),
  cancelSync: () => invoke<void>("cancel_sync"),
  mapField: (target: "completions" | "certifications" | "completions_workflow" | "renewals_workflow", fieldDefinitionId: string | null) => invoke<void>("map_planning_center_field", { target, fieldDefinitionId }),
  resolveDuplicate: (id: string, resolution: B.DuplicateResolution) => invoke<void>("resolve_possible_duplicate", { id, resolution }),
  subscribeWebhooks: (receiverUrl: string, secretsFile: string) => invoke<B.Subscribed>("subscribe_planning_center_webhooks", { receiverUrl, secretsFile }),
};
