// Typed wrappers over the Rust commands. The shapes mirror src-tauri/src/commands.rs.
import { invoke } from "@tauri-apps/api/core";

export interface CommandError {
  code: string;
  message: string;
  field: string | null;
}

export interface AppStatus {
  version: string;
  database_path: string;
  demo_mode: boolean;
  signed_in: { person_id: string | null; name: string; permissions: string[] } | null;
  people: number;
  courses: number;
  pending_changes: number;
}

export interface DemoSummary {
  campuses: number;
  people: number;
  households: number;
  courses: number;
  enrollments: number;
}

export interface Person {
  id: string;
  first_name: string;
  last_name: string;
  nickname: string | null;
  email: string | null;
  phone: string | null;
  household_name: string | null;
}

export interface Course {
  id: string;
  name: string;
  description: string | null;
  max_capacity: number | null;
  current_registrations: number;
}

export function isCommandError(value: unknown): value is CommandError {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

export const api = {
  appStatus: () => invoke<AppStatus>("app_status"),
  loadDemoChurch: () => invoke<DemoSummary>("load_demo_church"),
  searchPeople: (query: string) => invoke<Person[]>("search_people", { query }),
  listCourses: () => invoke<Course[]>("list_courses"),
};

export interface SyncRun {
  id: string;
  sync_type: string;
  sync_direction: "from_pc" | "to_pc";
  records_processed: number;
  records_successful: number;
  records_failed: number;
  error_details: string[] | null;
  started_at: string;
  completed_at: string | null;
}

export interface OutboxProblem {
  id: string;
  table_name: string;
  record_id: string;
  status: "refused" | "failed" | "held" | "skipped";
  last_error: string | null;
}

export interface DuplicateCandidate {
  planning_center_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  birthdate: string | null;
  reason: string;
}

export interface PossibleDuplicate {
  id: string;
  people_id: string;
  person_name: string | null;
  candidates: DuplicateCandidate[];
}

export interface PlanningCenterStatus {
  base_url: string;
  sign_in: { kind: "oauth" } | { kind: "personal_access_token"; app_id: string } | null;
  keychain_problem: string | null;
  demo_mode: boolean;
  syncing: boolean;
  pending_changes: number;
  problems: OutboxProblem[];
  possible_duplicates: PossibleDuplicate[];
  recent_runs: SyncRun[];
  field_definitions: { id: string; name: string; data_type: string | null }[];
  completions_field: string | null;
  certifications_field: string | null;
}

export interface SyncProgress {
  phase: "idle" | "pull_people" | "push" | "reference_data" | "registrations" | "reconcile";
  done: number;
  total: number | null;
}

export interface SyncReport {
  pulled_people: number;
  pushed: number;
  push_failures: number;
  registrations: number;
  reconciled: boolean;
  errors: string[];
}

export const pco = {
  setUpOffice: (firstName: string, lastName: string, email: string) => invoke<void>("set_up_office", { firstName, lastName, email }),
  status: () => invoke<PlanningCenterStatus>("planning_center_status"),
  signInWithBrowser: () => invoke<void>("sign_in_with_browser"),
  signInWithToken: (appId: string, secret: string) => invoke<void>("sign_in_with_token", { appId, secret }),
  signOut: () => invoke<void>("sign_out"),
  syncNow: () => invoke<SyncReport>("sync_now"),
  cancelSync: () => invoke<void>("cancel_sync"),
  mapField: (target: "completions" | "certifications", fieldDefinitionId: string | null) => invoke<void>("map_planning_center_field", { target, fieldDefinitionId }),
  resolveDuplicate: (id: string, resolution: { decision: "link"; planning_center_id: string } | { decision: "create_new" }) =>
    invoke<void>("resolve_possible_duplicate", { id, resolution }),
};
