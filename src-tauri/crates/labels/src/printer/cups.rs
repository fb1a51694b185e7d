//! CUPS (Linux and macOS), through its own commands: `lp` takes a job on its standard input
//! and `lpstat` says what the queues are doing. `CUPS_SERVER` chooses the server, as for
//! every CUPS command.

use super::{OsPrinter, PrintError, PrinterAnswer};
use crate::size::LabelSize;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `lp` hands a job to the local server; longer than this, and the server is not answering.
const LP_TIMEOUT: Duration = Duration::from_secs(20);

fn run(command: &str, args: &[String], input: Option<&[u8]>) -> Result<(bool, String, String), PrintError> {
    let mut child = Command::new(command)
        .args(args)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => {
                PrintError::NoPrintSystem(format!("CUPS's {command} command is not installed"))
            }
            _ => PrintError::NoPrintSystem(format!("{command} could not start: {error}")),
        })?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin
            .write_all(input)
            .map_err(|error| PrintError::NoPrintSystem(format!("{command} stopped reading: {error}")))?;
    }
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() > LP_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(PrintError::NoPrintSystem(format!(
                    "{command} did not finish in {} s",
                    LP_TIMEOUT.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(error) => return Err(PrintError::NoPrintSystem(format!("{command}: {error}"))),
        }
    }
    let output = child.wait_with_output().map_err(|error| PrintError::NoPrintSystem(format!("{command}: {error}")))?;
    Ok((
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        String::from_utf8_lossy(&output.stderr).trim().to_owned(),
    ))
}

/// A job on the queue: raw ZPL for a Zebra, or a PDF of the label's size at its real size.
pub fn send(queue: &str, bytes: &[u8], raw: bool, size: LabelSize, title: &str) -> Result<PrinterAnswer, PrintError> {
    let mut args = vec!["-d".to_owned(), queue.to_owned(), "-t".to_owned(), title.to_owned()];
    if raw {
        args.extend(["-o".to_owned(), "raw".to_owned()]);
    } else {
        let (width, height) = size.page_mm();
        args.extend([
            "-o".to_owned(),
            format!("media=Custom.{width:.1}x{height:.1}mm"),
            "-o".to_owned(),
            "print-scaling=none".to_owned(),
        ]);
    }
    let (succeeded, out, err) = run("lp", &args, Some(bytes))?;
    if !succeeded {
        let message = if err.is_empty() { out } else { err };
        return Err(PrintError::QueueRefused {
            queue: queue.to_owned(),
            message: message.trim_start_matches("lp: ").to_owned(),
        });
    }
    Ok(PrinterAnswer { message: format!("The queue \"{queue}\" took the job ({}).", out.trim_end_matches('.')) })
}

/// What `lpstat` says of one queue: idle, printing, disabled, and jobs waiting.
pub fn state(queue: &str) -> String {
    let Ok((_, printer, _)) = run("lpstat", &["-p".to_owned(), queue.to_owned()], None) else { return String::new() };
    let waiting = run("lpstat", &["-o".to_owned(), queue.to_owned()], None)
        .map(|(_, jobs, _)| jobs.lines().filter(|line| !line.trim().is_empty()).count())
        .unwrap_or(0);
    let first = printer.lines().next().unwrap_or("").trim().to_owned();
    let reason: Vec<&str> = printer.lines().skip(1).map(str::trim).filter(|line| !line.is_empty()).collect();
    let mut said = format!("CUPS says: {first}");
    if !reason.is_empty() {
        said.push_str(&format!(" ({})", reason.join("; ")));
    }
    if waiting > 0 {
        said.push_str(&format!("; {waiting} job(s) waiting on the queue"));
    }
    said
}

pub fn printers() -> Result<Vec<OsPrinter>, PrintError> {
    let (_, listed, err) = run("lpstat", &["-d".to_owned(), "-p".to_owned()], None)?;
    if !listed.contains("printer ") && !err.is_empty() && !err.contains("No destinations") {
        return Err(PrintError::NoPrintSystem(err));
    }
    Ok(parse_printers(&listed))
}

/// `lpstat -d -p`: "system default destination: NAME" (or "no system default destination"),
/// then lines "printer NAME is idle.  enabled since …" or "printer NAME disabled since …".
pub fn parse_printers(listed: &str) -> Vec<OsPrinter> {
    let default =
        listed.lines().find_map(|line| line.strip_prefix("system default destination:")).map(str::trim).unwrap_or("");
    listed
        .lines()
        .filter_map(|line| line.strip_prefix("printer "))
        .filter_map(|rest| {
            let (name, state) = rest.split_once(' ')?;
            let state =
                state.trim_start_matches("is ").split("  ").next().unwrap_or("").trim_end_matches('.').to_owned();
            Some(OsPrinter { name: name.to_owned(), is_default: name == default, state })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lpstat_lines_become_printers() {
        let listed = "system default destination: Office\nprinter Kids-Zebra is idle.  enabled since Sun 06 Dec 2026 09:00:00\nprinter Office disabled since Sun 06 Dec 2026 -\n\tPaused\n";
        let printers = parse_printers(listed);
        assert_eq!(printers.len(), 2);
        assert_eq!(printers[0], OsPrinter { name: "Kids-Zebra".into(), is_default: false, state: "idle".into() });
        assert_eq!(printers[1].state, "disabled since Sun 06 Dec 2026 -");
        assert!(printers[1].is_default);
        assert!(parse_printers("no system default destination\nprinter A is idle.").iter().all(|p| !p.is_default));
    }
}
