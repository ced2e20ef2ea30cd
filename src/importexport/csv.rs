//! A small RFC 4180 CSV reader: comma-separated fields, fields in double quotes may hold
//! commas, line breaks and doubled quotes (`""`); CRLF or LF line ends; a UTF-8 BOM is skipped.

/// One record with the 1-based line it starts on.
#[derive(Debug, PartialEq, Eq)]
pub struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Parses the whole text. Errors name the line: an unterminated quote, or a stray character
/// after a closing quote.
pub fn parse(text: &str) -> Result<Vec<Record>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut start_line = 1;
    let mut in_quotes = false;
    let mut quoted = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted => {
                in_quotes = true;
                quoted = true;
            }
            '"' => return Err(format!("line {line}: a quote inside an unquoted field")),
            ',' => {
                fields.push(std::mem::take(&mut field));
                quoted = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut field));
                records.push(Record {
                    line: start_line,
                    fields: std::mem::take(&mut fields),
                });
                quoted = false;
                any = false;
                line += 1;
                start_line = line;
            }
            _ if quoted => {
                return Err(format!(
                    "line {line}: unexpected text after a closing quote"
                ));
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err(format!("line {start_line}: a quoted field is never closed"));
    }
    if any {
        fields.push(field);
        records.push(Record {
            line: start_line,
            fields,
        });
    }
    // Blank lines are not records.
    records.retain(|r| !(r.fields.len() == 1 && r.fields[0].trim().is_empty()));
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_rules() {
        let r = parse("\u{feff}act,prompt\r\n\"A, b\",\"say \"\"hi\"\"\nthen go\"\n\nx,y")
            .expect("valid");
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].fields, vec!["act", "prompt"]);
        assert_eq!(r[1].fields, vec!["A, b", "say \"hi\"\nthen go"]);
        assert_eq!(r[2].line, 5);
        assert_eq!(r[2].fields, vec!["x", "y"]);
    }

    #[test]
    fn errors_name_the_line() {
        assert!(
            parse("a,b\n\"open,x\n")
                .expect_err("bad")
                .contains("line 2")
        );
        assert!(parse("a,b\nx\"y,z\n").expect_err("bad").contains("line 2"));
        assert!(parse("a,b\n\"x\"y,z\n").is_err());
    }
}
