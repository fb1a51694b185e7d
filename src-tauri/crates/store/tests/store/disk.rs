//! A full disk: the write that does not fit is refused with a message a person can act on,
//! nothing of it is kept, what was saved before stays, and writing works again once there is
//! room. The disk is a small tmpfs where this machine lets the test mount one (CI runs as root);
//! elsewhere the database itself is capped (`max_page_count`), which SQLite reports the same way.

use crate::common::*;
use cct_domain::records::Person;
use cct_domain::ErrorCode;
use cct_store::{records, Store};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A folder on a 6 MB filesystem of its own, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
    mounted: bool,
}

impl SmallDisk {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=6m", "tmpfs"])
            .arg(dir.path())
            .output()
            .is_ok_and(|out| out.status.success());
        SmallDisk { dir, mounted }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg(self.dir.path()).status();
        }
    }
}

fn person(i: usize) -> Person {
    Person {
        first_name: format!("Filler{i}"),
        last_name: "Person".into(),
        // Wide rows (every text at its longest) fill the disk in a few hundred writes.
        address1: Some(format!("{i:0>200}")),
        address2: Some(format!("{i:1>200}")),
        city: Some(format!("{i:2>100}")),
        ..Default::default()
    }
}

#[test]
fn a_full_disk_refuses_the_write_clearly_and_loses_nothing() {
    let disk = SmallDisk::new();
    let path: PathBuf = disk.path().join("church.sqlite");
    let store = Store::open(&path, &key()).unwrap();
    // Someone's other files on the same disk, deleted later to make room.
    let other_files = disk.path().join("photos.bin");
    if disk.mounted {
        std::fs::write(&other_files, vec![7u8; 1024 * 1024]).unwrap();
    }
    if !disk.mounted {
        // No tmpfs here: cap the database at its size now plus about 2 MB.
        let pages: i64 = scalar(&store, "PRAGMA page_count", []);
        store
            .write(&system(), |tx| {
                tx.conn().execute_batch(&format!("PRAGMA max_page_count = {}", pages + 500)).map_err(Into::into)
            })
            .unwrap();
    }
    let system = system();
    let mut saved = 0;
    let refused = loop {
        match store.write(&system, |tx| records::insert(tx, person(saved))) {
            Ok(_) => saved += 1,
            Err(error) => break error,
        }
        assert!(saved < 20_000, "the disk never filled");
    };
    assert!(saved > 10, "some writes fitted first ({saved}): {refused}");
    assert_eq!(refused.code(), ErrorCode::DiskFull, "{refused}");
    assert!(refused.to_string().contains("the disk is full: nothing was saved"), "{refused}");

    // Everything saved before is there, and nothing of the refused write.
    assert_eq!(count(&store, "people"), saved as i64);
    let audited: i64 = scalar(&store, "SELECT count(*) FROM audit_log WHERE table_name = 'people'", []);
    assert_eq!(audited, saved as i64, "no audit row without its record");
    let integrity: String = scalar(&store, "PRAGMA integrity_check", []);
    assert_eq!(integrity, "ok");

    // Room is made (the other files go): the same store writes again, without a restart.
    let small = Person { first_name: "After".into(), last_name: "Space".into(), ..Default::default() };
    if disk.mounted {
        std::fs::remove_file(&other_files).unwrap();
        store.write(&system, |tx| records::insert(tx, small.clone())).expect("a write fits once there is room");
        assert_eq!(count(&store, "people"), saved as i64 + 1);
    } else {
        store
            .write(&system, |tx| tx.conn().execute_batch("PRAGMA max_page_count = 1000000").map_err(Into::into))
            .unwrap();
        store.write(&system, |tx| records::insert(tx, small)).expect("a write fits once there is room");
        assert_eq!(count(&store, "people"), saved as i64 + 1);
    }
}
