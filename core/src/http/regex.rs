//! A small linear-time regular-expression engine for the PCRE subset ingress-nginx users
//! write in `use-regex` / `rewrite-target` paths and `canary-by-header-pattern`
//! (`spec/http-routing.md` §3.2, §4.4.11). Patterns compile to a Thompson NFA; matching is a
//! set simulation (no allocation, no backtracking, time O(pattern × input)), and captures for
//! `rewrite-target` use a Pike VM with leftmost-first (PCRE) priorities.
//!
//! Supported: literals; `.`; classes `[...]`, `[^...]` with ranges, escapes and POSIX
//! `[:alpha:]`-style names; `\d \D \w \W \s \S`; `\b \B`; anchors `^ $ \A \z \Z`;
//! groups `(...)`, `(?:...)`, named `(?<n>...)` / `(?P<n>...)` / `(?'n'...)`; the flag
//! `(?i)` / `(?i:...)`; alternation; quantifiers `* + ? {n} {n,} {n,m}` and their lazy forms.
//! Not supported, reported as [`RegexError::Unsupported`] (kroute then skips the path and
//! emits a diagnostic): backreferences, lookaround, atomic groups, possessive quantifiers,
//! recursion, `\Q...\E`, Unicode properties and other PCRE escapes. Matching is on bytes:
//! `.` and classes see one byte, which is exact for ASCII paths (kroute's normalised paths
//! are ASCII).

use alloc::{boxed::Box, vec::Vec};

/// The largest program, in instructions (keeps the no-allocation matcher's scratch on the
/// stack: about 6 KiB).
const MAX_INSTS: usize = 1024;
/// Words of a program-sized bit set.
const WORDS: usize = MAX_INSTS / 64;
/// The largest counted repetition.
const MAX_REPEAT: u32 = 1000;
/// The deepest group nesting.
const MAX_DEPTH: usize = 64;

/// Why a pattern was not compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RegexError {
    /// Valid PCRE that kroute does not implement (named).
    Unsupported(&'static str),
    /// Not a valid pattern.
    Syntax(&'static str),
    /// Compiles to more than 1024 instructions, repeats more than 1000 times, or nests more
    /// than 64 groups.
    TooBig,
}

impl RegexError {
    /// A phrase for diagnostics.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Self::Unsupported(what) | Self::Syntax(what) => what,
            Self::TooBig => "the pattern is too large (more than 1024 instructions, a repeat over 1000, or groups nested over 64 deep)",
        }
    }
}

type Set = [u64; 4];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Look {
    Start,
    End,
    Word,
    NotWord,
}

#[derive(Clone, Copy, Debug)]
enum Inst {
    Byte(u8),
    Class(u16),
    Split(u16, u16),
    Jmp(u16),
    Save(u16),
    Look(Look),
    Match,
}

#[derive(Clone, Debug)]
enum Node {
    Empty,
    Byte(u8),
    Set(Box<Set>),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat { node: Box<Node>, min: u32, max: Option<u32>, greedy: bool },
    Group(Option<u16>, Box<Node>),
    Look(Look),
}

/// A compiled pattern.
#[derive(Clone, Debug)]
pub(crate) struct Regex {
    insts: Vec<Inst>,
    classes: Vec<Set>,
    /// Capture groups, group 0 (the whole match) included.
    groups: u16,
    /// Named groups: (name, index).
    names: Vec<(alloc::string::String, u16)>,
    /// Matches start at offset 0 only.
    anchored: bool,
}

fn set_has(s: &Set, b: u8) -> bool {
    s.get(usize::from(b >> 6)).is_some_and(|w| w & (1u64 << (b & 63)) != 0)
}

fn set_add(s: &mut Set, b: u8) {
    if let Some(w) = s.get_mut(usize::from(b >> 6)) {
        *w |= 1u64 << (b & 63);
    }
}

fn set_range(s: &mut Set, lo: u8, hi: u8) {
    for b in lo..=hi {
        set_add(s, b);
    }
}

fn set_not(s: &Set) -> Set {
    let mut out = [0; 4];
    for (o, w) in out.iter_mut().zip(s) {
        *o = !w;
    }
    out
}

fn set_union(a: &mut Set, b: &Set) {
    for (x, y) in a.iter_mut().zip(b) {
        *x |= y;
    }
}

fn set_fold_case(s: &mut Set) {
    for b in b'a'..=b'z' {
        let u = b.to_ascii_uppercase();
        if set_has(s, b) || set_has(s, u) {
            set_add(s, b);
            set_add(s, u);
        }
    }
}

fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The class of an escape letter (`d`, `w`, `s` and negations).
fn perl_class(c: u8) -> Option<Set> {
    let mut s = [0; 4];
    match c.to_ascii_lowercase() {
        b'd' => set_range(&mut s, b'0', b'9'),
        b'w' => {
            set_range(&mut s, b'0', b'9');
            set_range(&mut s, b'a', b'z');
            set_range(&mut s, b'A', b'Z');
            set_add(&mut s, b'_');
        }
        b's' => {
            for b in [b' ', b'\t', b'\n', b'\r', 0x0b, 0x0c] {
                set_add(&mut s, b);
            }
        }
        _ => return None,
    }
    Some(if c.is_ascii_uppercase() { set_not(&s) } else { s })
}

fn posix_class(name: &[u8]) -> Option<Set> {
    let mut s = [0; 4];
    let all = |s: &mut Set, f: fn(&u8) -> bool| {
        for b in 0..=127u8 {
            if f(&b) {
                set_add(s, b);
            }
        }
    };
    match name {
        b"alpha" => all(&mut s, u8::is_ascii_alphabetic),
        b"digit" => all(&mut s, u8::is_ascii_digit),
        b"alnum" => all(&mut s, u8::is_ascii_alphanumeric),
        b"upper" => all(&mut s, u8::is_ascii_uppercase),
        b"lower" => all(&mut s, u8::is_ascii_lowercase),
        b"xdigit" => all(&mut s, u8::is_ascii_hexdigit),
        b"punct" => all(&mut s, u8::is_ascii_punctuation),
        b"graph" => all(&mut s, u8::is_ascii_graphic),
        b"print" => all(&mut s, |b| b.is_ascii_graphic() || *b == b' '),
        b"cntrl" => all(&mut s, u8::is_ascii_control),
        b"space" => all(&mut s, |b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)),
        b"blank" => all(&mut s, |b| matches!(b, b' ' | b'\t')),
        b"word" => return perl_class(b'w'),
        _ => return None,
    }
    Some(s)
}

struct Parser<'p> {
    p: &'p [u8],
    i: usize,
    groups: u16,
    names: Vec<(alloc::string::String, u16)>,
    ci: bool,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.p.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        self.p.get(self.i + k).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn lit(&self, b: u8) -> Node {
        if self.ci && b.is_ascii_alphabetic() {
            let mut s = [0; 4];
            set_add(&mut s, b.to_ascii_lowercase());
            set_add(&mut s, b.to_ascii_uppercase());
            Node::Set(Box::new(s))
        } else {
            Node::Byte(b)
        }
    }

    fn set(&self, mut s: Set) -> Node {
        if self.ci {
            set_fold_case(&mut s);
        }
        Node::Set(Box::new(s))
    }

    fn alt(&mut self) -> Result<Node, RegexError> {
        let mut alts = alloc::vec![self.concat()?];
        while self.eat(b'|') {
            alts.push(self.concat()?);
        }
        Ok(if alts.len() == 1 { alts.pop().unwrap_or(Node::Empty) } else { Node::Alt(alts) })
    }

    fn concat(&mut self) -> Result<Node, RegexError> {
        let mut items = Vec::new();
        while let Some(b) = self.peek() {
            if b == b'|' || b == b')' {
                break;
            }
            let atom = self.atom()?;
            let atom = self.quantifier(atom)?;
            items.push(atom);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    /// Parses `{n}`, `{n,}`, `{n,m}` at the cursor without consuming it when it is not one.
    fn counted(&self) -> Option<(u32, Option<u32>, usize)> {
        let rest = self.p.get(self.i..)?;
        let end = rest.iter().position(|&b| b == b'}')?;
        let inner = core::str::from_utf8(rest.get(1..end)?).ok()?;
        let num = |s: &str| -> Option<u32> {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
        };
        let (min, max) = match inner.split_once(',') {
            None => {
                let n = num(inner)?;
                (n, Some(n))
            }
            Some((a, "")) => (num(a)?, None),
            Some((a, b)) => (num(a)?, Some(num(b)?)),
        };
        Some((min, max, end + 1))
    }

    fn quantifier(&mut self, atom: Node) -> Result<Node, RegexError> {
        let (min, max) = match self.peek() {
            Some(b'*') => {
                self.i += 1;
                (0, None)
            }
            Some(b'+') => {
                self.i += 1;
                (1, None)
            }
            Some(b'?') => {
                self.i += 1;
                (0, Some(1))
            }
            Some(b'{') => match self.counted() {
                Some((min, max, len)) => {
                    self.i += len;
                    (min, max)
                }
                None => return Ok(atom),
            },
            _ => return Ok(atom),
        };
        if matches!(atom, Node::Look(_) | Node::Empty) {
            return Err(RegexError::Syntax("quantifier does not follow a repeatable item"));
        }
        if max.is_some_and(|m| m < min) {
            return Err(RegexError::Syntax("numbers out of order in {} quantifier"));
        }
        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
            return Err(RegexError::TooBig);
        }
        let greedy = !self.eat(b'?');
        if self.peek() == Some(b'+') {
            return Err(RegexError::Unsupported("possessive quantifiers (x*+) are not supported"));
        }
        if matches!(self.peek(), Some(b'*' | b'+' | b'?')) {
            return Err(RegexError::Syntax("nothing to repeat"));
        }
        Ok(Node::Repeat { node: Box::new(atom), min, max, greedy })
    }

    fn group_name(&mut self, close: u8) -> Result<alloc::string::String, RegexError> {
        let start = self.i;
        while let Some(b) = self.peek() {
            if b == close {
                let name = self.p.get(start..self.i).unwrap_or(&[]);
                self.i += 1;
                if name.is_empty() || !name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') {
                    return Err(RegexError::Syntax("bad group name"));
                }
                return Ok(name.iter().map(|&b| char::from(b)).collect());
            }
            self.i += 1;
        }
        Err(RegexError::Syntax("unterminated group name"))
    }

    fn group(&mut self) -> Result<Node, RegexError> {
        // After '('.
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(RegexError::TooBig);
        }
        let saved_ci = self.ci;
        let mut capture = true;
        let mut name = None;
        if self.eat(b'?') {
            match (self.peek(), self.peek_at(1)) {
                (Some(b':'), _) => {
                    self.i += 1;
                    capture = false;
                }
                (Some(b'<'), Some(b'=' | b'!')) => {
                    return Err(RegexError::Unsupported("lookbehind assertions are not supported"))
                }
                (Some(b'='), _) | (Some(b'!'), _) => {
                    return Err(RegexError::Unsupported("lookahead assertions are not supported"))
                }
                (Some(b'>'), _) => return Err(RegexError::Unsupported("atomic groups are not supported")),
                (Some(b'<'), _) => {
                    self.i += 1;
                    name = Some(self.group_name(b'>')?);
                }
                (Some(b'P'), Some(b'<')) => {
                    self.i += 2;
                    name = Some(self.group_name(b'>')?);
                }
                (Some(b'\''), _) => {
                    self.i += 1;
                    name = Some(self.group_name(b'\'')?);
                }
                (Some(b'i'), Some(b')')) => {
                    // `(?i)`: case-insensitive until the end of the enclosing group.
                    self.i += 2;
                    self.ci = true;
                    self.depth -= 1;
                    return Ok(Node::Empty);
                }
                (Some(b'i'), Some(b':')) => {
                    self.i += 2;
                    self.ci = true;
                    capture = false;
                }
                _ => return Err(RegexError::Unsupported("this (?...) construct is not supported")),
            }
        }
        let index = if capture {
            self.groups = self.groups.checked_add(1).ok_or(RegexError::TooBig)?;
            if let Some(n) = name {
                self.names.push((n, self.groups));
            }
            Some(self.groups)
        } else {
            None
        };
        let inner = self.alt()?;
        if !self.eat(b')') {
            return Err(RegexError::Syntax("missing )"));
        }
        self.ci = saved_ci;
        self.depth -= 1;
        Ok(Node::Group(index, Box::new(inner)))
    }

    /// An escape after `\` outside a class.
    fn escape(&mut self) -> Result<Node, RegexError> {
        let c = self.peek().ok_or(RegexError::Syntax("\\ at end of pattern"))?;
        self.i += 1;
        if let Some(s) = perl_class(c) {
            return Ok(self.set(s));
        }
        Ok(match c {
            b'b' => Node::Look(Look::Word),
            b'B' => Node::Look(Look::NotWord),
            b'A' => Node::Look(Look::Start),
            b'z' | b'Z' => Node::Look(Look::End),
            b'1'..=b'9' => return Err(RegexError::Unsupported("backreferences are not supported")),
            _ => {
                let b = self.escaped_byte(c)?;
                self.lit(b)
            }
        })
    }

    /// The byte an escape stands for (`\n`, `\x41`, `\.`).
    fn escaped_byte(&mut self, c: u8) -> Result<u8, RegexError> {
        Ok(match c {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'f' => 0x0c,
            b'v' => 0x0b,
            b'e' => 0x1b,
            b'a' => 0x07,
            b'x' => {
                let h = |b: Option<u8>| b.and_then(|b| (b as char).to_digit(16));
                match (h(self.peek()), h(self.peek_at(1))) {
                    (Some(a), Some(b)) => {
                        self.i += 2;
                        (a * 16 + b) as u8
                    }
                    _ => return Err(RegexError::Unsupported("only \\xHH hex escapes are supported")),
                }
            }
            c if c.is_ascii_alphanumeric() => {
                return Err(RegexError::Unsupported("this backslash escape is not supported"))
            }
            c => c,
        })
    }

    fn class(&mut self) -> Result<Node, RegexError> {
        // After '['.
        let negate = self.eat(b'^');
        let mut s: Set = [0; 4];
        let mut first = true;
        loop {
            let b = self.peek().ok_or(RegexError::Syntax("missing ] in a character class"))?;
            self.i += 1;
            if b == b']' && !first {
                break;
            }
            first = false;
            let lo = match b {
                b'[' if self.peek() == Some(b':') => {
                    let rest = self.p.get(self.i + 1..).unwrap_or(&[]);
                    let end = rest
                        .windows(2)
                        .position(|w| w == b":]")
                        .ok_or(RegexError::Syntax("unterminated POSIX class"))?;
                    let name = rest.get(..end).unwrap_or(&[]);
                    let (neg, name) = match name.split_first() {
                        Some((b'^', n)) => (true, n),
                        _ => (false, name),
                    };
                    let cls = posix_class(name).ok_or(RegexError::Syntax("unknown POSIX class name"))?;
                    set_union(&mut s, &if neg { set_not(&cls) } else { cls });
                    self.i += end + 3;
                    continue;
                }
                b'\\' => {
                    let c = self.peek().ok_or(RegexError::Syntax("\\ at end of pattern"))?;
                    self.i += 1;
                    if let Some(cls) = perl_class(c) {
                        set_union(&mut s, &cls);
                        continue;
                    }
                    if c == b'b' {
                        0x08
                    } else {
                        self.escaped_byte(c)?
                    }
                }
                b => b,
            };
            if self.peek() == Some(b'-') && self.peek_at(1).is_some_and(|b| b != b']') {
                self.i += 1;
                let hb = self.peek().unwrap_or(b']');
                self.i += 1;
                let hi = if hb == b'\\' {
                    let c = self.peek().ok_or(RegexError::Syntax("\\ at end of pattern"))?;
                    self.i += 1;
                    if perl_class(c).is_some() {
                        return Err(RegexError::Syntax("invalid range in character class"));
                    }
                    self.escaped_byte(c)?
                } else {
                    hb
                };
                if hi < lo {
                    return Err(RegexError::Syntax("range out of order in character class"));
                }
                set_range(&mut s, lo, hi);
            } else {
                set_add(&mut s, lo);
            }
        }
        if self.ci {
            set_fold_case(&mut s);
        }
        Ok(Node::Set(Box::new(if negate { set_not(&s) } else { s })))
    }

    fn atom(&mut self) -> Result<Node, RegexError> {
        let b = self.peek().ok_or(RegexError::Syntax("unexpected end"))?;
        self.i += 1;
        Ok(match b {
            b'(' => self.group()?,
            b'[' => self.class()?,
            b'.' => {
                let mut s = [!0u64; 4];
                if let Some(w) = s.first_mut() {
                    *w &= !(1u64 << b'\n');
                }
                Node::Set(Box::new(s))
            }
            b'^' => Node::Look(Look::Start),
            b'$' => Node::Look(Look::End),
            b'\\' => self.escape()?,
            b'*' | b'+' | b'?' => return Err(RegexError::Syntax("nothing to repeat")),
            b'{' => {
                self.i -= 1;
                if self.counted().is_some() {
                    return Err(RegexError::Syntax("nothing to repeat"));
                }
                self.i += 1;
                self.lit(b'{')
            }
            b => self.lit(b),
        })
    }
}

struct Compiler {
    insts: Vec<Inst>,
    classes: Vec<Set>,
}

impl Compiler {
    fn pc(&self) -> Result<u16, RegexError> {
        if self.insts.len() >= MAX_INSTS {
            Err(RegexError::TooBig)
        } else {
            Ok(self.insts.len() as u16)
        }
    }

    fn push(&mut self, i: Inst) -> Result<u16, RegexError> {
        let pc = self.pc()?;
        self.insts.push(i);
        Ok(pc)
    }

    fn patch(&mut self, at: u16, i: Inst) {
        if let Some(slot) = self.insts.get_mut(usize::from(at)) {
            *slot = i;
        }
    }

    fn emit(&mut self, n: &Node) -> Result<(), RegexError> {
        match n {
            Node::Empty => {}
            Node::Byte(b) => {
                self.push(Inst::Byte(*b))?;
            }
            Node::Set(s) => {
                let idx = match self.classes.iter().position(|c| c == s.as_ref()) {
                    Some(i) => i,
                    None => {
                        self.classes.push(**s);
                        self.classes.len() - 1
                    }
                };
                self.push(Inst::Class(idx as u16))?;
            }
            Node::Look(l) => {
                self.push(Inst::Look(*l))?;
            }
            Node::Concat(items) => {
                for it in items {
                    self.emit(it)?;
                }
            }
            Node::Alt(alts) => {
                let mut jumps = Vec::new();
                let last = alts.len().saturating_sub(1);
                for (k, a) in alts.iter().enumerate() {
                    if k < last {
                        let split = self.push(Inst::Split(0, 0))?;
                        self.emit(a)?;
                        jumps.push(self.push(Inst::Jmp(0))?);
                        let next = self.pc()?;
                        self.patch(split, Inst::Split(split + 1, next));
                    } else {
                        self.emit(a)?;
                    }
                }
                let end = self.pc()?;
                for j in jumps {
                    self.patch(j, Inst::Jmp(end));
                }
            }
            Node::Group(idx, inner) => match idx {
                Some(g) => {
                    self.push(Inst::Save(g * 2))?;
                    self.emit(inner)?;
                    self.push(Inst::Save(g * 2 + 1))?;
                }
                None => self.emit(inner)?,
            },
            Node::Repeat { node, min, max, greedy } => {
                for _ in 0..*min {
                    self.emit(node)?;
                }
                let split = |body: u16, out: u16| {
                    if *greedy {
                        Inst::Split(body, out)
                    } else {
                        Inst::Split(out, body)
                    }
                };
                match max {
                    None => {
                        let l = self.push(Inst::Split(0, 0))?;
                        self.emit(node)?;
                        self.push(Inst::Jmp(l))?;
                        let out = self.pc()?;
                        self.patch(l, split(l + 1, out));
                    }
                    Some(max) => {
                        let mut holes = Vec::new();
                        for _ in *min..*max {
                            holes.push(self.push(Inst::Split(0, 0))?);
                            self.emit(node)?;
                        }
                        let out = self.pc()?;
                        for h in holes {
                            self.patch(h, split(h + 1, out));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// A bit set over program counters, on the stack.
#[derive(Clone, Copy)]
struct PcSet([u64; WORDS]);

impl PcSet {
    fn new() -> Self {
        Self([0; WORDS])
    }
    fn insert(&mut self, pc: u16) -> bool {
        let (w, b) = (usize::from(pc) / 64, pc % 64);
        match self.0.get_mut(w) {
            Some(word) if *word & (1 << b) == 0 => {
                *word |= 1 << b;
                true
            }
            _ => false,
        }
    }
    fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.0
            .iter()
            .enumerate()
            .flat_map(|(w, &word)| (0..64u16).filter(move |b| word & (1 << b) != 0).map(move |b| w as u16 * 64 + b))
    }
    fn clear(&mut self) {
        self.0 = [0; WORDS];
    }
    fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

impl Regex {
    /// Compiles `pattern`; `case_insensitive` is nginx's `~*` (and PCRE `(?i)`), `anchored`
    /// makes matches start at offset 0 (nginx's `^` prefix).
    pub(crate) fn new(pattern: &str, case_insensitive: bool, anchored: bool) -> Result<Self, RegexError> {
        let mut p =
            Parser { p: pattern.as_bytes(), i: 0, groups: 0, names: Vec::new(), ci: case_insensitive, depth: 0 };
        let ast = p.alt()?;
        if p.i < p.p.len() {
            return Err(RegexError::Syntax("unmatched )"));
        }
        let mut c = Compiler { insts: Vec::new(), classes: Vec::new() };
        c.push(Inst::Save(0))?;
        c.emit(&ast)?;
        c.push(Inst::Save(1))?;
        c.push(Inst::Match)?;
        Ok(Self { insts: c.insts, classes: c.classes, groups: p.groups + 1, names: p.names, anchored })
    }

    fn holds(look: Look, hay: &[u8], pos: usize) -> bool {
        match look {
            Look::Start => pos == 0,
            Look::End => pos == hay.len(),
            Look::Word | Look::NotWord => {
                let before = pos > 0 && hay.get(pos - 1).copied().is_some_and(word_byte);
                let after = hay.get(pos).copied().is_some_and(word_byte);
                (before != after) == (look == Look::Word)
            }
        }
    }

    /// Adds the ε-closure of `pc` at `pos` to `set`; true when it reaches `Match`.
    fn close(&self, set: &mut PcSet, pc: u16, hay: &[u8], pos: usize) -> bool {
        let mut stack = [0u16; 2 * MAX_INSTS + 2];
        let mut top = 0usize;
        let mut matched = false;
        if let Some(s) = stack.get_mut(top) {
            *s = pc;
            top += 1;
        }
        while top > 0 {
            top -= 1;
            let pc = stack.get(top).copied().unwrap_or(0);
            if !set.insert(pc) {
                continue;
            }
            let mut push = |t: u16| {
                if let Some(s) = stack.get_mut(top) {
                    *s = t;
                    top += 1;
                }
            };
            match self.insts.get(usize::from(pc)) {
                Some(Inst::Jmp(t)) => push(*t),
                Some(Inst::Split(a, b)) => {
                    push(*b);
                    push(*a);
                }
                Some(Inst::Save(_)) => push(pc + 1),
                Some(Inst::Look(l)) if Self::holds(*l, hay, pos) => push(pc + 1),
                Some(Inst::Match) => matched = true,
                _ => {}
            }
        }
        matched
    }

    fn consumes(&self, pc: u16, b: u8) -> bool {
        match self.insts.get(usize::from(pc)) {
            Some(Inst::Byte(x)) => *x == b,
            Some(Inst::Class(c)) => self.classes.get(usize::from(*c)).is_some_and(|s| set_has(s, b)),
            _ => false,
        }
    }

    /// Whether the pattern matches `hay` (at offset 0 when anchored, anywhere otherwise; the
    /// match need not reach the end). Allocation-free.
    pub(crate) fn is_match(&self, hay: &[u8]) -> bool {
        let mut cur = PcSet::new();
        let mut next = PcSet::new();
        if self.close(&mut cur, 0, hay, 0) {
            return true;
        }
        for (pos, &b) in hay.iter().enumerate() {
            next.clear();
            for pc in cur.iter() {
                if self.consumes(pc, b) && self.close(&mut next, pc + 1, hay, pos + 1) {
                    return true;
                }
            }
            if !self.anchored && self.close(&mut next, 0, hay, pos + 1) {
                return true;
            }
            if next.is_empty() {
                return false;
            }
            core::mem::swap(&mut cur, &mut next);
        }
        false
    }

    /// The leftmost-first match's group spans (`None` for groups that did not take part), or
    /// `None` without a match. Allocates scratch proportional to the program.
    pub(crate) fn captures(&self, hay: &[u8]) -> Option<Vec<Option<(usize, usize)>>> {
        let n = self.insts.len();
        let slots = usize::from(self.groups) * 2;
        let mut clist = Threads::new(n, slots);
        let mut nlist = Threads::new(n, slots);
        let mut scratch: Vec<Option<usize>> = alloc::vec![None; slots];
        let mut stack: Vec<Frame> = Vec::new();
        let mut best: Option<Vec<Option<usize>>> = None;
        for pos in 0..=hay.len() {
            if best.is_none() && (pos == 0 || !self.anchored) {
                scratch.iter_mut().for_each(|s| *s = None);
                self.add(&mut clist, 0, hay, pos, &mut scratch, &mut stack);
            }
            if clist.dense.is_empty() {
                break;
            }
            nlist.clear();
            for k in 0..clist.dense.len() {
                let pc = clist.dense.get(k).copied().unwrap_or(0);
                let caps = clist.caps(pc);
                match self.insts.get(usize::from(pc)) {
                    Some(Inst::Match) => {
                        best = Some(caps.to_vec());
                        break;
                    }
                    Some(Inst::Byte(_) | Inst::Class(_)) if hay.get(pos).is_some_and(|&b| self.consumes(pc, b)) => {
                        scratch.clear();
                        scratch.extend_from_slice(caps);
                        self.add(&mut nlist, pc + 1, hay, pos + 1, &mut scratch, &mut stack);
                    }
                    _ => {}
                }
            }
            core::mem::swap(&mut clist, &mut nlist);
        }
        let best = best?;
        Some(
            best.chunks(2)
                .map(|c| match c {
                    [Some(a), Some(b)] => Some((*a, *b)),
                    _ => None,
                })
                .collect(),
        )
    }

    fn add(
        &self,
        list: &mut Threads,
        pc: u16,
        hay: &[u8],
        pos: usize,
        caps: &mut [Option<usize>],
        stack: &mut Vec<Frame>,
    ) {
        stack.clear();
        stack.push(Frame::Explore(pc));
        while let Some(f) = stack.pop() {
            match f {
                Frame::Restore(slot, v) => {
                    if let Some(s) = caps.get_mut(usize::from(slot)) {
                        *s = v;
                    }
                }
                Frame::Explore(pc) => {
                    if !list.insert(pc) {
                        continue;
                    }
                    match self.insts.get(usize::from(pc)) {
                        Some(Inst::Jmp(t)) => stack.push(Frame::Explore(*t)),
                        Some(Inst::Split(a, b)) => {
                            stack.push(Frame::Explore(*b));
                            stack.push(Frame::Explore(*a));
                        }
                        Some(Inst::Save(s)) => {
                            let old = caps.get(usize::from(*s)).copied().flatten();
                            stack.push(Frame::Restore(*s, old));
                            if let Some(c) = caps.get_mut(usize::from(*s)) {
                                *c = Some(pos);
                            }
                            stack.push(Frame::Explore(pc + 1));
                        }
                        Some(Inst::Look(l)) if Self::holds(*l, hay, pos) => stack.push(Frame::Explore(pc + 1)),
                        Some(Inst::Byte(_) | Inst::Class(_) | Inst::Match) => list.set_caps(pc, caps),
                        Some(Inst::Look(_)) | None => {}
                    }
                }
            }
        }
    }

    /// The index of the named group `name`.
    pub(crate) fn group_index(&self, name: &str) -> Option<u16> {
        self.names.iter().find(|(n, _)| n == name).map(|(_, i)| *i)
    }
}

#[derive(Clone, Copy)]
enum Frame {
    Explore(u16),
    Restore(u16, Option<usize>),
}

/// A Pike VM thread list: members in priority order, with their capture slots.
struct Threads {
    dense: Vec<u16>,
    member: Vec<bool>,
    slots: usize,
    caps: Vec<Option<usize>>,
}

impl Threads {
    fn new(n: usize, slots: usize) -> Self {
        Self { dense: Vec::with_capacity(n), member: alloc::vec![false; n], slots, caps: alloc::vec![None; n * slots] }
    }
    fn clear(&mut self) {
        for &pc in &self.dense {
            if let Some(m) = self.member.get_mut(usize::from(pc)) {
                *m = false;
            }
        }
        self.dense.clear();
    }
    fn insert(&mut self, pc: u16) -> bool {
        match self.member.get_mut(usize::from(pc)) {
            Some(m) if !*m => {
                *m = true;
                self.dense.push(pc);
                true
            }
            _ => false,
        }
    }
    fn caps(&self, pc: u16) -> &[Option<usize>] {
        let start = usize::from(pc) * self.slots;
        self.caps.get(start..start + self.slots).unwrap_or(&[])
    }
    fn set_caps(&mut self, pc: u16, caps: &[Option<usize>]) {
        let start = usize::from(pc) * self.slots;
        if let Some(dst) = self.caps.get_mut(start..start + self.slots) {
            for (d, s) in dst.iter_mut().zip(caps) {
                *d = *s;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use alloc::string::String;

    fn m(p: &str, h: &str) -> bool {
        Regex::new(p, false, true).unwrap().is_match(h.as_bytes())
    }

    fn caps(p: &str, ci: bool, h: &str) -> Vec<Option<String>> {
        let r = Regex::new(p, ci, true).unwrap();
        r.captures(h.as_bytes())
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.and_then(|(a, b)| h.get(a..b)).map(String::from))
            .collect()
    }

    #[test]
    fn literals_classes_and_anchors() {
        assert!(m("/foo", "/foo/bar"));
        assert!(!m("/foo", "/fo"));
        assert!(!m("/foo", "/bar/foo")); // anchored at the start
        assert!(m("/foo$", "/foo"));
        assert!(!m("/foo$", "/foo/"));
        assert!(m("/foo/bar/[A-Z0-9]{3}", "/foo/bar/AB1"));
        assert!(!m("/foo/bar/[A-Z0-9]{3}", "/foo/bar/ab"));
        assert!(m("/[[:alnum:]._-]+/x", "/a.b_c-d/x"));
        assert!(m("/\\d+\\.\\w", "/123.x"));
        assert!(m("/a.c", "/abc"));
        assert!(!m("/a[^b]c", "/abc"));
        assert!(m("/(a|bc)+d", "/abcad"));
        assert!(m("/x{2,3}y", "/xxxy"));
        assert!(!m("/x{2,3}y", "/xy"));
        assert!(m("/a{,}", "/a{,}")); // not a quantifier: literal braces
        assert!(m("/\\bfoo\\b", "/foo"));
        assert!(m("(?i)/FOO", "/foo"));
        assert!(m("/(?i:FOO)bar", "/fOobar"));
        assert!(!m("/(?i:FOO)bar", "/fOoBAR"));
    }

    #[test]
    fn case_insensitive_like_nginx_tilde_star() {
        let r = Regex::new("/foo/bar", true, true).unwrap();
        assert!(r.is_match(b"/FOO/Bar/baz"));
        assert!(r.is_match(b"/foo/barbaz"));
    }

    #[test]
    fn unanchored_search() {
        let r = Regex::new("^v[0-9]$|beta", false, false).unwrap();
        assert!(r.is_match(b"v1"));
        assert!(r.is_match(b"x-beta-y"));
        assert!(!r.is_match(b"v10"));
    }

    /// ingress-nginx `docs/examples/rewrite`: `/something(/|$)(.*)` with `/$2`.
    #[test]
    fn rewrite_captures_leftmost_first() {
        let c = caps("/something(/|$)(.*)", true, "/something/new");
        assert_eq!(c.get(2).cloned().flatten().as_deref(), Some("new"));
        let c = caps("/something(/|$)(.*)", true, "/something");
        assert_eq!(c.get(1).cloned().flatten().as_deref(), Some(""));
        assert_eq!(c.get(2).cloned().flatten().as_deref(), Some(""));
        let c = caps("/(a*)(a*)", false, "/aaa");
        assert_eq!(c.get(1).cloned().flatten().as_deref(), Some("aaa"));
        let c = caps("/(a*?)(a*)", false, "/aaa");
        assert_eq!(c.get(1).cloned().flatten().as_deref(), Some(""));
        let c = caps("/(x)?(y)", false, "/y");
        assert_eq!(c.get(1).cloned().flatten(), None);
        let c = caps("/(?<rest>.*)", false, "/q");
        assert_eq!(c.get(1).cloned().flatten().as_deref(), Some("q"));
    }

    #[test]
    fn unsupported_and_bad_patterns() {
        for (p, unsupported) in [
            ("/(a)\\1", true),
            ("/(?=a)", true),
            ("/(?<=a)b", true),
            ("/(?>a)", true),
            ("/a*+", true),
            ("/\\p{L}", true),
            ("/(a", false),
            ("/a)", false),
            ("/[a", false),
            ("*a", false),
            ("/a{3,2}", false),
            ("/[z-a]", false),
        ] {
            match Regex::new(p, false, true) {
                Err(RegexError::Unsupported(_)) => assert!(unsupported, "{p}"),
                Err(RegexError::Syntax(_)) => assert!(!unsupported, "{p}"),
                other => panic!("{p}: {other:?}"),
            }
        }
        assert_eq!(Regex::new("/a{1001}", false, true).err(), Some(RegexError::TooBig));
        assert_eq!(Regex::new("/(a{100}){100}", false, true).err(), Some(RegexError::TooBig));
    }

    /// Linear time: a pattern that makes backtracking engines explode.
    #[test]
    fn no_catastrophic_backtracking() {
        let r = Regex::new("(a*)*(a*)*(a*)*b", false, true).unwrap();
        let hay = alloc::vec![b'a'; 20_000];
        assert!(!r.is_match(&hay));
        assert!(r.captures(&hay).is_none());
    }
}
