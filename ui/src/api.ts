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
