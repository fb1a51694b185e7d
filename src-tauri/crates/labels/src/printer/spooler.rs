//! The Windows print spooler: a raw job through `OpenPrinterW` / `StartDocPrinterW` /
//! `WritePrinter`, and the printers from `EnumPrintersW`.
//!
//! Written for Windows and compiled there only: no Windows target can be built where this was
//! written, so it is untested. A raw job suits a Zebra queue (ZPL). A PDF sent raw prints only
//! on a printer that reads PDF itself; other printers need their driver's own path.

use super::{OsPrinter, PrintError, PrinterAnswer};
use std::ptr::{null, null_mut};
use windows_sys::Win32::Foundation::GetLastError;
use windows_sys::Win32::Graphics::Printing::{
    ClosePrinter, EndDocPrinter, EndPagePrinter, EnumPrintersW, GetDefaultPrinterW, OpenPrinterW, StartDocPrinterW,
    StartPagePrinter, WritePrinter, DOC_INFO_1W, PRINTER_ENUM_CONNECTIONS, PRINTER_ENUM_LOCAL, PRINTER_INFO_2W,
};

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

fn refused(queue: &str, step: &str) -> PrintError {
    // SAFETY: reads the calling thread's last error code.
    let code = unsafe { GetLastError() };
    PrintError::QueueRefused { queue: queue.to_owned(), message: format!("{step} failed (Windows error {code})") }
}

pub fn send(queue: &str, bytes: &[u8], title: &str) -> Result<PrinterAnswer, PrintError> {
    let name = wide(queue);
    let mut document = wide(title);
    let mut datatype = wide("RAW");
    let mut handle = null_mut();
    // SAFETY: `name` is a NUL-terminated UTF-16 string that outlives the call; `handle`
    // receives the printer handle, closed below on every path.
    if unsafe { OpenPrinterW(name.as_ptr(), &mut handle, null()) } == 0 {
        return Err(refused(queue, "opening the printer"));
    }
    let info =
        DOC_INFO_1W { pDocName: document.as_mut_ptr(), pOutputFile: null_mut(), pDatatype: datatype.as_mut_ptr() };
    let result = (|| {
        // SAFETY: `handle` is open, `info` points at strings alive for this closure.
        if unsafe { StartDocPrinterW(handle, 1, &info) } == 0 {
            return Err(refused(queue, "starting the job"));
        }
        // SAFETY: as above; the page and document are ended before the handle is closed.
        unsafe { StartPagePrinter(handle) };
        let mut written = 0u32;
        let length = u32::try_from(bytes.len()).map_err(|_| refused(queue, "a job this large"))?;
        // SAFETY: `bytes` is valid for `length` bytes; `written` receives the count.
        let ok = unsafe { WritePrinter(handle, bytes.as_ptr().cast(), length, &mut written) } != 0;
        // SAFETY: ends what was started above on the open handle.
        unsafe {
            EndPagePrinter(handle);
            EndDocPrinter(handle);
        }
        if !ok || written != length {
            return Err(refused(queue, "writing the job"));
        }
        Ok(PrinterAnswer { message: format!("The Windows queue \"{queue}\" took {written} bytes.") })
    })();
    // SAFETY: closes the handle opened above, once.
    unsafe { ClosePrinter(handle) };
    result
}

pub fn printers() -> Result<Vec<OsPrinter>, PrintError> {
    let flags = PRINTER_ENUM_LOCAL | PRINTER_ENUM_CONNECTIONS;
    let (mut needed, mut count) = (0u32, 0u32);
    // SAFETY: a first call with no buffer asks only for the size needed.
    unsafe { EnumPrintersW(flags, null(), 2, null_mut(), 0, &mut needed, &mut count) };
    let mut buffer = vec![0u8; needed as usize];
    // SAFETY: `buffer` is `needed` bytes, as the first call asked for.
    if unsafe { EnumPrintersW(flags, null(), 2, buffer.as_mut_ptr(), needed, &mut needed, &mut count) } == 0 {
        return Err(PrintError::NoPrintSystem("the Windows spooler did not list its printers".into()));
    }
    let default = default_printer();
    let infos = buffer.as_ptr().cast::<PRINTER_INFO_2W>();
    let mut printers = Vec::new();
    for index in 0..count as usize {
        // SAFETY: the spooler wrote `count` PRINTER_INFO_2W records at the buffer's start.
        let info = unsafe { &*infos.add(index) };
        let name = read_wide(info.pPrinterName);
        let state = if info.Status == 0 { "ready".to_owned() } else { format!("status {:#x}", info.Status) };
        printers.push(OsPrinter { is_default: name == default, name, state });
    }
    Ok(printers)
}

fn default_printer() -> String {
    let mut length = 0u32;
    // SAFETY: a first call with no buffer asks only for the length needed.
    unsafe { GetDefaultPrinterW(null_mut(), &mut length) };
    let mut buffer = vec![0u16; length as usize];
    // SAFETY: `buffer` holds `length` UTF-16 units.
    if length == 0 || unsafe { GetDefaultPrinterW(buffer.as_mut_ptr(), &mut length) } == 0 {
        return String::new();
    }
    read_wide(buffer.as_ptr())
}

fn read_wide(text: *const u16) -> String {
    if text.is_null() {
        return String::new();
    }
    let mut length = 0;
    // SAFETY: the spooler's strings are NUL-terminated.
    while unsafe { *text.add(length) } != 0 {
        length += 1;
    }
    // SAFETY: `length` units were just read as valid.
    String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(text, length) })
}
