//! Splitting a Pabulib file into rows of fields: lines, CSV quoting and line-length limits.

use crate::budgeting::error::PabulibError;
use std::io::BufRead;

/// One CSV record: the line it starts on and its raw (untrimmed) fields.
#[derive(Debug)]
pub(super) struct Row {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Reads records one at a time, the way Python's `csv.reader(text.splitlines(), delimiter=";")`
/// does in pabutools: a field that starts with `"` is quoted (`""` is a literal quote and the
/// record may continue over line ends), a `"` anywhere else is an ordinary character.
pub(super) struct RowReader<R> {
    input: R,
    max_line_bytes: usize,
    line_number: usize,
    pending_lines: std::collections::VecDeque<String>,
    buffer: Vec<u8>,
    finished: bool,
}

impl<R: BufRead> RowReader<R> {
    pub fn new(input: R, max_line_bytes: usize) -> Self {
        RowReader {
            input,
            max_line_bytes,
            line_number: 0,
            pending_lines: std::collections::VecDeque::new(),
            buffer: Vec::new(),
            finished: false,
        }
    }

    /// The next physical line without its terminator; `\r\n`, `\n` and a lone `\r` all end a
    /// line, as in Python's `splitlines`.
    fn next_line(&mut self) -> Result<Option<(usize, String)>, PabulibError> {
        if let Some(line) = self.pending_lines.pop_front() {
            return Ok(Some((self.line_number, line)));
        }
        if self.finished {
            return Ok(None);
        }
        self.buffer.clear();
        let limit = u64::try_from(self.max_line_bytes).unwrap_or(u64::MAX).saturating_add(2);
        // Reading through `take` bounds memory even when a hostile file has a 2 GB line.
        let read = std::io::Read::take(&mut self.input, limit)
            .read_until(b'\n', &mut self.buffer)
            .map_err(|error| PabulibError::Io(error.to_string()))?;
        if read == 0 {
            self.finished = true;
            return Ok(None);
        }
        self.line_number += 1;
        if self.buffer.last() == Some(&b'\n') {
            self.buffer.pop();
        } else if read as u64 >= limit {
            return Err(PabulibError::InvalidLine {
                line: self.line_number,
                message: format!("line longer than {} bytes", self.max_line_bytes),
            });
        } else {
            self.finished = true;
        }
        if self.buffer.last() == Some(&b'\r') {
            self.buffer.pop();
        }
        if self.line_number == 1 && self.buffer.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.buffer.drain(..3);
        }
        if self.buffer.len() > self.max_line_bytes {
            return Err(PabulibError::InvalidLine {
                line: self.line_number,
                message: format!("line longer than {} bytes", self.max_line_bytes),
            });
        }
        let text = std::str::from_utf8(&self.buffer).map_err(|error| PabulibError::InvalidLine {
            line: self.line_number,
            message: format!("not valid UTF-8 at byte {}", error.valid_up_to() + 1),
        })?;
        let mut parts = text.split('\r');
        let first = parts.next().unwrap_or_default().to_owned();
        self.pending_lines.extend(parts.map(str::to_owned));
        Ok(Some((self.line_number, first)))
    }

    /// The next record, or `None` at the end of the input.
    pub fn next_row(&mut self) -> Result<Option<Row>, PabulibError> {
        let Some((line, text)) = self.next_line()? else {
            return Ok(None);
        };
        // Nearly every line has no quote: then fields are what lies between semicolons (an empty
        // line has none), as the state machine below would find.
        if !text.contains('"') {
            let fields = if text.is_empty() { Vec::new() } else { text.split(';').map(str::to_owned).collect() };
            return Ok(Some(Row { line, fields }));
        }
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut state = State::StartField;
        let mut text = text;
        let mut record_bytes = 0usize;
        loop {
            for character in text.chars() {
                state = match (state, character) {
                    (State::StartField, '"') => State::Quoted,
                    (State::StartField | State::Unquoted | State::QuoteInQuoted, ';') => {
                        fields.push(std::mem::take(&mut field));
                        State::StartField
                    }
                    (State::Quoted, '"') => State::QuoteInQuoted,
                    (State::QuoteInQuoted, '"') => {
                        field.push('"');
                        State::Quoted
                    }
                    (State::Quoted, other) => {
                        field.push(other);
                        State::Quoted
                    }
                    (State::StartField | State::Unquoted | State::QuoteInQuoted, other) => {
                        field.push(other);
                        State::Unquoted
                    }
                };
            }
            if state != State::Quoted {
                break;
            }
            // A quoted field continues on the next line; the line end is part of the value.
            record_bytes += text.len();
            let Some((_, next)) = self.next_line()? else {
                return Err(PabulibError::InvalidLine { line, message: "a quoted field is never closed".to_owned() });
            };
            if record_bytes + next.len() > self.max_line_bytes {
                return Err(PabulibError::InvalidLine {
                    line,
                    message: format!("record longer than {} bytes", self.max_line_bytes),
                });
            }
            field.push('\n');
            text = next;
        }
        if !(fields.is_empty() && field.is_empty() && state == State::StartField) {
            fields.push(field);
        }
        Ok(Some(Row { line, fields }))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(usize, Vec<String>)> {
        let mut reader = RowReader::new(text.as_bytes(), 1000);
        let mut rows = Vec::new();
        while let Some(row) = reader.next_row().expect("valid input") {
            rows.push((row.line, row.fields));
        }
        rows
    }

    #[test]
    fn splits_like_python_csv() {
        let parsed = rows("\u{feff}a;b\r\n\"x;y\";\"say \"\"hi\"\"\"\nname \"Orlik\";3\n\nlast");
        assert_eq!(parsed[0], (1, vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!(parsed[1], (2, vec!["x;y".to_owned(), "say \"hi\"".to_owned()]));
        assert_eq!(parsed[2], (3, vec!["name \"Orlik\"".to_owned(), "3".to_owned()]));
        assert_eq!(parsed[3], (4, vec![]));
        assert_eq!(parsed[4], (5, vec!["last".to_owned()]));
    }

    #[test]
    fn quoted_fields_span_lines_and_trailing_text_is_kept() {
        let parsed = rows("\"two\nlines\";x\n\"a\"b;;\n");
        assert_eq!(parsed[0], (1, vec!["two\nlines".to_owned(), "x".to_owned()]));
        assert_eq!(parsed[1], (3, vec!["ab".to_owned(), String::new(), String::new()]));
    }

    #[test]
    fn long_lines_and_bad_bytes_are_errors_with_line_numbers() {
        let long = format!("ok\n{}\n", "x".repeat(2000));
        let mut reader = RowReader::new(long.as_bytes(), 1000);
        assert!(reader.next_row().is_ok());
        assert!(matches!(reader.next_row(), Err(PabulibError::InvalidLine { line: 2, .. })));
        let mut reader = RowReader::new(&b"a\n\xff\xfe\n"[..], 1000);
        assert!(reader.next_row().is_ok());
        assert!(matches!(reader.next_row(), Err(PabulibError::InvalidLine { line: 2, .. })));
        let mut reader = RowReader::new(&b"\"never closed\n"[..], 1000);
        assert!(reader.next_row().is_err());
    }
}
