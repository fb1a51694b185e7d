//! The demo church: two campuses, a few hundred people in households, courses with
//! prerequisites and content, a certification, rooms, sessions and some progress, so the app can
//! be tried without a Planning Center account. Deterministic: the same data every time.
//! It never reaches Planning Center: the loader writes no outbox rows and turns on demo mode.

use crate::db::{Query, Result, Store, StoreError, WriteTx};
use crate::office::people::role_id_on;
use crate::office::{attendance, enrollment, prerequisites, progress, settings};
use crate::records;
use cct_domain::records::*;
use cct_domain::{Actor, Timestamp};
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

const FIRST_NAMES: [&str; 40] = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Daniel",
    "Karen",
    "Matthew",
    "Grace",
    "Samuel",
    "Ruth",
    "Andrew",
    "Esther",
    "Joshua",
    "Hannah",
    "Caleb",
    "Naomi",
    "Isaac",
    "Abigail",
    "Nathan",
    "Lydia",
    "Peter",
    "Miriam",
    "Luis",
    "Sofia",
    "Kwame",
    "Mei",
];
const LAST_NAMES: [&str; 30] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Thomas",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Nguyen",
    "Okafor",
];

/// What the loader made, for the first-run screen.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DemoSummary {
    pub campuses: usize,
    pub people: usize,
    pub households: usize,
    pub courses: usize,
    pub enrollments: usize,
    pub admin_person_id: Uuid,
}

/// A small deterministic generator (64-bit LCG): demo data must not change between runs.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Loads the demo church into an empty database. Refused when people already exist, so it can
/// never mix demo records into a real church's data.
pub fn load(store: &Store, people_count: usize) -> Result<DemoSummary> {
    let system = Actor::system();
    let mut tx = store.begin_write(&system)?;
    // Counted inside the transaction: nothing can be added between the count and the load.
    let existing: i64 = tx.conn().scalar("SELECT COUNT(*) FROM people", [])?;
    if existing > 0 {
        return Err(StoreError::Conflict {
            field: "people",
            message: "the demo church can only be loaded into an empty database".into(),
        });
    }
    tx.disable_outbox();
    let today = tx.now().date();
    let mut dice = Dice(0x5eed_c0ffee);

    let campuses = [
        ("North Campus", "100 Hope Street, Springfield", "America/Chicago"),
        ("South Campus", "2500 River Road, Springfield", "America/Chicago"),
    ];
    let mut campus_ids = Vec::new();
    for (name, address, zone) in campuses {
        let campus = records::insert(
            &mut tx,
            Campus {
                name: name.into(),
                address: Some(address.into()),
                time_zone: zone.into(),
                phone: Some("(555) 201-0100".into()),
                ..Default::default()
            },
        )?;
        campus_ids.push(campus.meta.id);
    }
    let mut rooms = Vec::new();
    for (campus, (name, capacity)) in
        campus_ids.iter().flat_map(|c| [(*c, ("Fellowship Hall", 80)), (*c, ("Room 101", 24)), (*c, ("Kids Wing", 30))])
    {
        let room = records::insert(
            &mut tx,
            Facility { campus_id: campus, name: name.into(), capacity: Some(capacity), ..Default::default() },
        )?;
        rooms.push(room.meta.id);
    }

    // Households of one to five people; adults first, children after.
    let mut people: Vec<Person> = Vec::new();
    let households = add_households(&mut tx, &mut dice, &campus_ids, people_count, today, &mut people)?;

    // The office: an administrator, a staff member and a check-in volunteer.
    let roles = [("admin", 0usize), ("staff", 1), ("checkin_volunteer", 2)];
    for (role, index) in roles {
        let role_id = role_id_on(tx.conn(), role)?;
        records::insert(
            &mut tx,
            PeopleRole { people_id: people[index].meta.id, role_id, assigned_date: today, ..Default::default() },
        )?;
    }
    let member_role = role_id_on(tx.conn(), "member")?;
    for person in people.iter().skip(3).filter(|p| p.email.is_some()) {
        records::insert(
            &mut tx,
            PeopleRole { people_id: person.meta.id, role_id: member_role, assigned_date: today, ..Default::default() },
        )?;
    }
    let admin = people[0].meta.id;

    // Courses: a discipleship path with prerequisites, and two trainings for a certification.
    let content_types = content_type_ids(&tx)?;
    let course_specs: [(&str, &str, Option<i64>, i64); 5] = [
        ("Foundations of Faith", "The basics of Christian faith, for new believers and new members.", Some(40), 6),
        ("Growing in Faith", "Prayer, scripture and spiritual habits. Requires Foundations of Faith.", Some(30), 8),
        ("Leading a Small Group", "Hosting and leading a home group. Requires Growing in Faith.", Some(12), 6),
        ("Child Safety Training", "Safeguarding policy and practice for children's ministry.", None, 2),
        ("First Aid Basics", "CPR, choking and allergic reactions.", Some(20), 1),
    ];
    let mut courses = Vec::new();
    for (i, (name, description, capacity, weeks)) in course_specs.into_iter().enumerate() {
        let course = records::insert(
            &mut tx,
            Course {
                name: name.into(),
                description: Some(description.into()),
                duration_weeks: Some(weeks),
                campus_id: Some(campus_ids[i % 2]),
                max_capacity: capacity,
                event_start_date: Some(today - Duration::days(56)),
                event_end_date: Some(today + Duration::days(7 * weeks)),
                // Growing in Faith is a class people attend: three sessions are part of it.
                sessions_required: (i == 1).then_some(3),
                ..Default::default()
            },
        )?;
        for module_no in 0..2 {
            let module = records::insert(
                &mut tx,
                CourseModule {
                    course_id: course.meta.id,
                    title: format!("Module {}", module_no + 1),
                    order_sequence: module_no,
                    ..Default::default()
                },
            )?;
            for lesson in 0..3 {
                let kind = content_types[(module_no as usize + lesson) % content_types.len()];
                records::insert(
                    &mut tx,
                    Content {
                        course_id: course.meta.id,
                        module_id: Some(module.meta.id),
                        title: format!("Lesson {}.{}", module_no + 1, lesson + 1),
                        content_type_id: kind,
                        order_sequence: module_no * 10 + lesson as i64,
                        duration_minutes: Some(30 + 15 * lesson as i64),
                        is_required: lesson < 2,
                        ..Default::default()
                    },
                )?;
            }
        }
        for week in 0..weeks.min(4) {
            let starts = Timestamp::from(
                (today - Duration::days(21) + Duration::days(7 * week))
                    .and_hms_opt(15, 0, 0)
                    .unwrap_or_default()
                    .and_utc(),
            );
            let ends = Timestamp::from(starts.as_datetime() + Duration::minutes(90));
            let room = rooms[(i % 2) * 3 + if i >= 3 { 2 } else { 1 }];
            records::insert(
                &mut tx,
                ClassSession {
                    meta: Default::default(),
                    course_id: course.meta.id,
                    offering_id: Some(crate::office::offerings::first_offering_id(course.meta.id)),
                    facility_id: Some(room),
                    title: format!("{name}: week {}", week + 1),
                    starts_at: starts,
                    ends_at: ends,
                    capacity: None,
                    status: SessionStatus::Scheduled,
                    children_per_adult: None,
                    serving_certification_id: None,
                },
            )?;
        }
        courses.push(course);
    }
    prerequisites::add(&mut tx, courses[1].meta.id, courses[0].meta.id)?;
    prerequisites::add(&mut tx, courses[2].meta.id, courses[1].meta.id)?;
    let certification = records::insert(
        &mut tx,
        Certification {
            name: "Children's Ministry Worker".into(),
            description: Some("Cleared to serve with children.".into()),
            validity_months: Some(24),
            ..Default::default()
        },
    )?;
    for course in [&courses[3], &courses[4]] {
        records::insert(
            &mut tx,
            CertificationCourse {
                certification_id: certification.meta.id,
                course_id: course.meta.id,
                ..Default::default()
            },
        )?;
    }
    for (course, role_type) in [
        (&courses[0], CourseRoleType::Teacher),
        (&courses[3], CourseRoleType::Teacher),
        (&courses[1], CourseRoleType::Assistant),
    ] {
        records::insert(
            &mut tx,
            CourseRole {
                people_id: people[1].meta.id,
                course_id: course.meta.id,
                role_type,
                assigned_date: today,
                assigned_by: Some(admin),
                ..Default::default()
            },
        )?;
    }

    // Enrollments with progress: adults take Foundations, some finish it and move on; some
    // volunteers train for the certification.
    let adults: Vec<&Person> = people.iter().filter(|p| p.email.is_some()).collect();
    let mut enrollments = 0;
    for (n, person) in adults.iter().enumerate().take(60) {
        let first = enrollment::enroll(
            &mut tx,
            enrollment::EnrollRequest {
                people_id: person.meta.id,
                course_id: courses[0].meta.id,
                ..Default::default()
            },
        )?;
        enrollments += 1;
        let finish = n % 3 != 0;
        complete_lessons(&mut tx, &first, if finish { usize::MAX } else { n % 4 })?;
        if finish && n % 2 == 0 {
            let next = enrollment::enroll(
                &mut tx,
                enrollment::EnrollRequest {
                    people_id: person.meta.id,
                    course_id: courses[1].meta.id,
                    ..Default::default()
                },
            )?;
            enrollments += 1;
            complete_lessons(&mut tx, &next, n % 5)?;
        }
    }
    for (n, person) in adults.iter().skip(60).take(25).enumerate() {
        for course in [&courses[3], &courses[4]] {
            let e = enrollment::enroll(
                &mut tx,
                enrollment::EnrollRequest {
                    people_id: person.meta.id,
                    course_id: course.meta.id,
                    ..Default::default()
                },
            )?;
            enrollments += 1;
            complete_lessons(&mut tx, &e, if n % 3 == 2 { 1 } else { usize::MAX })?;
        }
    }

    enrollments += terms_and_renewals(&mut tx, &courses, &adults, rooms[1], today)?;

    mark_attendance(&mut tx, &courses[1], today)?;

    settings::set(&mut tx, settings::DEMO_MODE, &true)?;
    settings::set(&mut tx, settings::DEMO_ADMIN, &admin)?;
    settings::set(&mut tx, settings::OFFICE_TIME_ZONE, &"America/Chicago")?;
    tx.commit()?;
    Ok(DemoSummary {
        campuses: campus_ids.len(),
        people: people.len(),
        households,
        courses: courses.len(),
        enrollments,
        admin_person_id: admin,
    })
}

fn content_type_ids(tx: &WriteTx<'_>) -> Result<Vec<Uuid>> {
    tx.conn().ids("SELECT id FROM content_type WHERE is_active = 1 ORDER BY name", [])
}

/// Attendance at a course's sessions so far: most came to each, every fifth person missed
/// one, and every seventh missed them all (the office's follow-up list).
fn mark_attendance(tx: &mut WriteTx<'_>, course: &Course, today: NaiveDate) -> Result<()> {
    let sessions = tx.conn().ids(
        "SELECT id FROM class_session WHERE course_id = ?1 AND starts_at < ?2 ORDER BY starts_at",
        [course.meta.id.to_string(), today.to_string()],
    )?;
    let people = tx.conn().ids(
        "SELECT people_id FROM course_enrollment WHERE course_id = ?1 AND is_active = 1 ORDER BY enrollment_date, id",
        [course.meta.id.to_string()],
    )?;
    for (n, &person) in people.iter().enumerate() {
        for (week, &session) in sessions.iter().enumerate() {
            let missed = n % 7 == 3 || (n % 5 == 1 && week == 1);
            let status = if missed { AttendanceStatus::Absent } else { AttendanceStatus::Present };
            attendance::mark(
                tx,
                attendance::MarkAttendance { class_session_id: session, people_id: person, status, notes: None },
            )?;
        }
    }
    Ok(())
}

/// Completes the first `count` pieces of an enrollment's content, in course order.
/// "Autumn 2026": the term a date falls in.
fn term_name(date: NaiveDate) -> String {
    use chrono::Datelike;
    let term = match date.month() {
        1..=4 => "Spring",
        5..=8 => "Summer",
        _ => "Autumn",
    };
    format!("{term} {}", date.year())
}

/// "December 2026": a training run once, named by its month.
fn month_name(date: NaiveDate) -> String {
    date.format("%B %Y").to_string()
}

/// Foundations of Faith runs this term and again next term; Child Safety Training ran two
/// years ago, and those who took it then are due to renew: one already has, in this term's
/// offering, and two wait for the next one. Returns the enrollments made.
fn terms_and_renewals(
    tx: &mut WriteTx<'_>,
    courses: &[Course],
    adults: &[&Person],
    room: Uuid,
    today: NaiveDate,
) -> Result<usize> {
    let (foundations, safety) = (&courses[0], &courses[3]);
    let mut this_term: CourseOffering = records::get_in(tx, foundations.meta.id)?;
    this_term.name = term_name(today - Duration::days(56));
    this_term.schedule = Some("Tuesdays 7 pm".into());
    this_term.facility_id = Some(room);
    records::update(tx, this_term)?;
    let next_starts = today + Duration::days(70);
    records::insert(
        tx,
        CourseOffering {
            course_id: foundations.meta.id,
            name: term_name(next_starts),
            starts_on: Some(next_starts),
            ends_on: Some(next_starts + Duration::days(42)),
            schedule: Some("Thursdays 7 pm".into()),
            campus_id: foundations.campus_id,
            facility_id: Some(room),
            max_capacity: Some(30),
            ..Default::default()
        },
    )?;

    let long_ago = today - Duration::days(26 * 30);
    // The certification's two courses, as they ran two years ago.
    let mut back_then = Vec::new();
    for course in [safety, &courses[4]] {
        back_then.push(records::insert(
            tx,
            CourseOffering {
                course_id: course.meta.id,
                name: month_name(long_ago),
                starts_on: Some(long_ago - Duration::days(14)),
                ends_on: Some(long_ago),
                schedule: Some("Saturday morning".into()),
                campus_id: course.campus_id,
                ..Default::default()
            },
        )?);
    }
    let mut current: CourseOffering = records::get_in(tx, safety.meta.id)?;
    current.name = month_name(today - Duration::days(56));
    records::update(tx, current)?;
    let next_starts = today + Duration::days(24);
    records::insert(
        tx,
        CourseOffering {
            course_id: safety.meta.id,
            name: month_name(next_starts),
            starts_on: Some(next_starts),
            ends_on: Some(next_starts + Duration::days(14)),
            schedule: Some("Saturday morning".into()),
            campus_id: safety.campus_id,
            max_capacity: Some(20),
            ..Default::default()
        },
    )?;

    let mut made = 0;
    for (n, person) in adults.iter().skip(85).take(3).enumerate() {
        for (course, then) in [safety, &courses[4]].into_iter().zip(&back_then) {
            let offering = Some(then.meta.id);
            let mut e = enrollment::enroll(
                tx,
                enrollment::EnrollRequest {
                    people_id: person.meta.id,
                    course_id: course.meta.id,
                    offering_id: offering,
                    ..Default::default()
                },
            )?;
            e.enrollment_date = long_ago - Duration::days(14);
            let e = records::update(tx, e)?;
            complete_lessons(tx, &e, usize::MAX)?;
            made += 1;
        }
        if n == 0 {
            // Renewed this term: both earnings are in the certification's history.
            let mut again = enrollment::enroll(
                tx,
                enrollment::EnrollRequest {
                    people_id: person.meta.id,
                    course_id: safety.meta.id,
                    offering_id: Some(safety.meta.id),
                    notes: Some("Renewing the children's ministry certification".into()),
                    ..Default::default()
                },
            )?;
            again.enrollment_date = today - Duration::days(20);
            let again = records::update(tx, again)?;
            complete_lessons(tx, &again, usize::MAX)?;
            made += 1;
        }
    }
    Ok(made)
}

fn complete_lessons(tx: &mut WriteTx<'_>, enrollment: &CourseEnrollment, count: usize) -> Result<()> {
    let content = tx.conn().ids(
        "SELECT id FROM content WHERE course_id = ?1 AND is_active = 1 ORDER BY order_sequence",
        [enrollment.course_id.to_string()],
    )?;
    let started = enrollment.enrollment_date;
    for (i, &id) in content.iter().take(count).enumerate() {
        let at: NaiveDate = started;
        let completed_at = Timestamp::from(at.and_hms_opt(16, i as u32 % 60, 0).unwrap_or_default().and_utc());
        progress::complete_content(
            tx,
            progress::CompletionInput {
                course_enrollment_id: enrollment.meta.id,
                content_id: id,
                completed_at: Some(completed_at),
                time_spent_minutes: Some(30),
                ..Default::default()
            },
        )?;
    }
    Ok(())
}

/// Households of one to five people (adults first, children after) until `people` holds
/// `count` more people; returns how many households were made.
fn add_households(
    tx: &mut WriteTx<'_>,
    dice: &mut Dice,
    campus_ids: &[Uuid],
    count: usize,
    today: NaiveDate,
    people: &mut Vec<Person>,
) -> Result<usize> {
    let target = people.len() + count;
    let mut households = 0;
    while people.len() < target {
        let last = dice.pick(&LAST_NAMES);
        let household = records::insert(tx, Household { name: format!("{last} Household"), ..Default::default() })?;
        households += 1;
        let size = 1 + dice.below(5);
        let campus = campus_ids[dice.below(campus_ids.len())];
        for member in 0..size.min(target - people.len()) {
            let first = dice.pick(&FIRST_NAMES);
            let age = if member < 2 { 25 + dice.below(45) as i64 } else { 3 + dice.below(14) as i64 };
            let born = today - Duration::days(age * 365 + dice.below(365) as i64);
            let adult = age >= 18;
            let n = people.len();
            let person = Person {
                first_name: first.into(),
                last_name: last.into(),
                email: adult.then(|| format!("{}.{}{}@example.org", first.to_lowercase(), last.to_lowercase(), n)),
                phone: adult.then(|| format!("(555) {:03}-{:04}", 200 + dice.below(700), dice.below(10_000))),
                date_of_birth: Some(born),
                gender: Some(if dice.below(2) == 0 { "M" } else { "F" }.into()),
                city: Some("Springfield".into()),
                state: Some("IL".into()),
                household_id: Some(household.meta.id),
                household_name: Some(household.name.clone()),
                join_date: Some(today - Duration::days(30 + dice.below(3650) as i64)).filter(|d| *d > born),
                ..Default::default()
            };
            let person = records::insert(tx, person)?;
            records::insert(
                tx,
                PeopleCampus {
                    people_id: person.meta.id,
                    campus_id: campus,
                    assigned_date: today,
                    is_primary: true,
                    ..Default::default()
                },
            )?;
            if !adult && dice.below(4) == 0 {
                let (kind, details, severity) = [
                    (RequirementType::Allergy, "Peanut allergy: EpiPen in backpack", Severity::Critical),
                    (RequirementType::Dietary, "Gluten free snacks only", Severity::Medium),
                    (RequirementType::Accessibility, "Uses a wheelchair; ground-floor rooms", Severity::High),
                    (RequirementType::Medical, "Asthma: inhaler with the guardian", Severity::High),
                ][dice.below(4)];
                records::insert(
                    tx,
                    SpecialRequirement {
                        people_id: person.meta.id,
                        requirement_type: kind,
                        details: details.into(),
                        severity,
                        ..Default::default()
                    },
                )?;
            }
            people.push(person);
        }
    }
    Ok(households)
}

/// Grows a demo church by `count` people in new households (for benchmarks and scale tests),
/// in transactions of a few thousand. Like the demo itself, nothing is queued for Planning Center.
pub fn add_people(store: &Store, count: usize) -> Result<usize> {
    let system = Actor::system();
    let campus_ids: Vec<Uuid> = store.read(|conn| conn.ids("SELECT id FROM campus WHERE is_active = 1", []))?;
    if campus_ids.is_empty() {
        return Err(StoreError::Conflict { field: "campus", message: "load the demo church first".into() });
    }
    let mut dice = Dice(0x0add_beef);
    let mut added = 0;
    while added < count {
        let mut tx = store.begin_write(&system)?;
        tx.disable_outbox();
        let today = tx.now().date();
        let mut people = Vec::new();
        add_households(&mut tx, &mut dice, &campus_ids, (count - added).min(5_000), today, &mut people)?;
        tx.commit()?;
        added += people.len();
    }
    Ok(added)
}
