fn main(){ church_course_tracker::run() }
