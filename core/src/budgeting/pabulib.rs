//! The Pabulib `.pb` file format (<https://pabulib.org>): reading and writing.
//!
//! A file has three sections, `META`, `PROJECTS` and `VOTES`, each a header line followed by
//! `;`-separated rows with CSV quoting. Real files carry a UTF-8 byte-order mark, CRLF or mixed
//! line ends, quotes inside names, costs written `4000.0`, string project ids and, now and then,
//! a project named twice in one vote; [`parse_pabulib`] accepts all of that the way pabutools
//! 1.2.3 reads it and rejects everything else with the line and field at fault.

mod fields;
mod read;
mod write;

use std::io::{BufRead, BufReader, Read};

/// `input` as the `.pb` text it holds, whether it was saved as is or gzip-compressed (as Pabulib
/// files are often kept and shipped): the first two bytes tell.
pub fn decompressed(input: impl Read + 'static) -> std::io::Result<Box<dyn BufRead>> {
    let mut input = BufReader::new(input);
    let gzip = input.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip { Box::new(BufReader::new(flate2::bufread::GzDecoder::new(input))) } else { Box::new(input) })
}

pub use read::{ParseLimits, parse_pabulib, parse_pabulib_str, parse_pabulib_with_limits};
pub use write::{pabulib_string, write_pabulib};
