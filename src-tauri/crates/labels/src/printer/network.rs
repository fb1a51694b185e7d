//! A label printer on the network: ZPL written to its raw TCP port (9100 on Zebras). The
//! printer answers nothing to a label; asked with `~HS`, a Zebra reports its paper, pause,
//! head and ribbon.

use super::{PrintError, PrinterAnswer};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// A printer that does not take a connection in this long is not answering: the labels wait
/// in the queue, and check-in goes on.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(4);
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
const STATUS_TIMEOUT: Duration = Duration::from_secs(2);

fn connect(host: &str, port: u16) -> Result<TcpStream, PrintError> {
    let address = format!("{host}:{port}");
    let not_answering = |reason: String| PrintError::NotAnswering { address: address.clone(), reason };
    let targets =
        (host, port).to_socket_addrs().map_err(|error| not_answering(format!("the address is not known: {error}")))?;
    let mut last = "the address is not known".to_owned();
    for target in targets {
        match TcpStream::connect_timeout(&target, CONNECT_TIMEOUT) {
            Ok(stream) => return Ok(stream),
            Err(error) => last = error.to_string(),
        }
    }
    Err(not_answering(last))
}

pub fn send(host: &str, port: u16, zpl: &[u8]) -> Result<PrinterAnswer, PrintError> {
    let mut stream = connect(host, port)?;
    let failed = |error: std::io::Error| PrintError::NotAnswering {
        address: format!("{host}:{port}"),
        reason: error.to_string(),
    };
    stream.set_write_timeout(Some(WRITE_TIMEOUT)).map_err(failed)?;
    stream.write_all(zpl).map_err(failed)?;
    stream.flush().map_err(failed)?;
    // Closing our side tells the printer the job is whole.
    let _ = stream.shutdown(Shutdown::Write);
    Ok(PrinterAnswer { message: format!("The printer at {host}:{port} took {} bytes of ZPL.", zpl.len()) })
}

/// What a Zebra says of itself (`~HS`), or that it said nothing (many network printers and
/// print servers do not answer).
pub fn host_status(host: &str, port: u16) -> String {
    let Ok(mut stream) = connect(host, port) else { return "Asked for its status, it did not answer.".into() };
    let _ = stream.set_read_timeout(Some(STATUS_TIMEOUT));
    if stream.write_all(b"~HS").is_err() {
        return "Asked for its status, it did not answer.".into();
    }
    let mut reply = Vec::new();
    let mut buffer = [0u8; 512];
    while let Ok(read) = stream.read(&mut buffer) {
        if read == 0 {
            break;
        }
        reply.extend_from_slice(&buffer[..read]);
        if reply.iter().filter(|b| **b == 0x03).count() >= 3 {
            break;
        }
    }
    describe_host_status(&String::from_utf8_lossy(&reply))
}

/// `~HS` answers three STX … ETX strings. In the first, the second field is "paper out" and
/// the third "paused"; in the second, the third is "head open" and the fourth "ribbon out".
pub fn describe_host_status(reply: &str) -> String {
    let strings: Vec<Vec<&str>> = reply
        .split('\u{2}')
        .filter_map(|part| part.split('\u{3}').next())
        .filter(|part| !part.trim().is_empty())
        .map(|part| part.split(',').map(str::trim).collect())
        .collect();
    if strings.is_empty() {
        return "Asked for its status, it did not answer.".into();
    }
    let flag = |string: usize, field: usize| strings.get(string).and_then(|s| s.get(field)).is_some_and(|f| *f == "1");
    let mut problems = Vec::new();
    if flag(0, 1) {
        problems.push("out of labels");
    }
    if flag(0, 2) {
        problems.push("paused");
    }
    if flag(1, 2) {
        problems.push("its head is open");
    }
    if flag(1, 3) {
        problems.push("out of ribbon");
    }
    if problems.is_empty() {
        "It reports it is ready.".into()
    } else {
        format!("It reports: {}.", problems.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zebra_status_reply_names_what_is_wrong() {
        let ready = "\u{2}030,0,0,0245,000,0,0,0,000,0,0,0\u{3}\r\n\u{2}001,0,0,0,1,2,6,0,00000000,1,000\u{3}\r\n\u{2}1234,0\u{3}\r\n";
        assert_eq!(describe_host_status(ready), "It reports it is ready.");
        let out = "\u{2}030,1,1,0245,000,0,0,0,000,0,0,0\u{3}\r\n\u{2}001,0,1,0,1,2,6,0,00000000,1,000\u{3}\r\n";
        assert_eq!(describe_host_status(out), "It reports: out of labels, paused, its head is open.");
        assert_eq!(describe_host_status(""), "Asked for its status, it did not answer.");
    }
}
