//! What counts as an occurrence of a term, and which characters go.
//!
//! Text and terms are compared through a *key*: each character is
//! transliterated to ASCII (deunicode) and lower-cased, and whitespace,
//! hyphens and invisible characters are dropped. So "Zoë O’Neill" matches
//! "zoe o'neill", "ZOE ONEILL" and "Zoe O'Neill" broken over two lines or
//! hyphenated at a line end. Matching is on substrings, not whole words:
//! "Smith" also removes the "Smith" in "Smithson". Both choices remove more
//! than a word-for-word match would, which is the safe way to be wrong, and
//! they make the check on the output simple: the output's key must not
//! contain any term's key.

use std::collections::HashMap;

use crate::{Error, winansi};

/// Characters that are not part of a word's spelling as a reader sees it.
fn ignorable(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '-' | '\u{00AD}' | '\u{2010}' | '\u{2011}' | '\u{200B}'
                ..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
        )
}

/// Feeds the key characters of `c` to `out`: none, one, or several (for "ß"
/// or a ligature such as "ﬃ").
pub(crate) fn key(c: char, out: &mut impl FnMut(char)) {
    if ignorable(c) {
        return;
    }
    if c.is_ascii() {
        out(c.to_ascii_lowercase());
        return;
    }
    match deunicode::deunicode_char(c) {
        Some(ascii) => ascii
            .chars()
            .filter(|&k| !ignorable(k))
            .for_each(|k| out(k.to_ascii_lowercase())),
        // No transliteration known: the character stands for itself.
        None => c.to_lowercase().filter(|&k| !ignorable(k)).for_each(out),
    }
}

/// The key of a whole string.
pub(crate) fn key_of(text: &str) -> String {
    let mut key_text = String::with_capacity(text.len());
    text.chars().for_each(|c| key(c, &mut |k| key_text.push(k)));
    key_text
}

/// Line separators, which start a new line in the output.
fn line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r' | '\u{000B}' | '\u{000C}' | '\u{0085}' | '\u{2028}' | '\u{2029}'
    )
}

/// `text` as the output will spell it: only characters Helvetica has in
/// WinAnsiEncoding, one `'\n'` per line break, `' '` for any other white
/// space. Others are transliterated ("Ł" to "L", "ﬁ" to "fi"), dropped if
/// invisible (soft hyphens, zero-width spaces, combining accents), or become
/// `'?'` when there is no transliteration.
///
/// Matching runs on this text rather than the extracted one so that what is
/// searched is exactly what would be written.
pub(crate) fn writable(text: &str, out: &mut Vec<char>) {
    for c in text.chars() {
        if line_break(c) {
            out.push('\n');
        } else if c.is_whitespace() {
            out.push(' ');
        } else if c.is_control() || (ignorable(c) && c != '-') {
            // Invisible on the page: nothing to write.
        } else if winansi::encode(c).is_some() {
            out.push(c);
        } else {
            match deunicode::deunicode_char(c) {
                Some(ascii) => out.extend(ascii.chars().filter_map(|k| {
                    if k.is_whitespace() {
                        Some(' ')
                    } else {
                        winansi::encode(k).map(|_| k)
                    }
                })),
                None => out.push('?'),
            }
        }
    }
}

/// The terms to redact, ready for matching.
pub(crate) struct Terms {
    /// As given, to name the one found by the final check.
    given: Vec<String>,
    keys: Vec<String>,
    /// An Aho-Corasick automaton over the keys; node 0 is the root.
    nodes: Vec<Node>,
}

#[derive(Default)]
struct Node {
    next: HashMap<char, usize>,
    fail: usize,
    /// Key characters in the longest term that ends at this node, 0 if none.
    out: usize,
}

impl Terms {
    pub(crate) fn new(terms: &[&str]) -> Result<Self, Error> {
        let keys: Vec<String> = terms.iter().map(|term| key_of(term)).collect();
        if keys.iter().any(String::is_empty) {
            return Err(Error::EmptyTerm);
        }
        let mut nodes = vec![Node::default()];
        for term_key in &keys {
            let mut at = 0;
            for k in term_key.chars() {
                at = match nodes[at].next.get(&k) {
                    Some(&child) => child,
                    None => {
                        nodes.push(Node::default());
                        let child = nodes.len() - 1;
                        nodes[at].next.insert(k, child);
                        child
                    }
                };
            }
            nodes[at].out = nodes[at].out.max(term_key.chars().count());
        }
        // Breadth first, so a node's failure link is final before its
        // children need it.
        let mut queue = std::collections::VecDeque::from([0]);
        while let Some(at) = queue.pop_front() {
            let children: Vec<(char, usize)> =
                nodes[at].next.iter().map(|(&k, &n)| (k, n)).collect();
            for (k, child) in children {
                let fail = if at == 0 {
                    0
                } else {
                    Self::walk(&nodes, nodes[at].fail, k)
                };
                nodes[child].fail = fail;
                nodes[child].out = nodes[child].out.max(nodes[fail].out);
                queue.push_back(child);
            }
        }
        Ok(Terms {
            given: terms.iter().map(|term| (*term).to_owned()).collect(),
            keys,
            nodes,
        })
    }

    fn walk(nodes: &[Node], mut at: usize, k: char) -> usize {
        loop {
            if let Some(&next) = nodes[at].next.get(&k) {
                return next;
            }
            if at == 0 {
                return 0;
            }
            at = nodes[at].fail;
        }
    }

    fn step(&self, at: usize, k: char) -> usize {
        Self::walk(&self.nodes, at, k)
    }

    /// The first term whose key occurs in `text`'s key.
    ///
    /// Deliberately a plain substring search, not the automaton: the final
    /// check on the output should not share code that could share a bug.
    pub(crate) fn first_in(&self, text: &str) -> Option<&str> {
        let text_key = key_of(text);
        self.keys
            .iter()
            .position(|term_key| text_key.contains(term_key.as_str()))
            .map(|i| self.given[i].as_str())
    }
}

/// Which characters of `text` must not be written: every occurrence of a
/// term, from its first character to its last (white space in between
/// included), and then whatever new occurrence the removals join up.
///
/// The second pass matters because the check on the output reads the
/// characters left on either side of a black bar as adjacent: with terms "XY"
/// and "ab", "aXYb" loses "XY" and then also "a" and "b". It keeps a stack of
/// the characters still kept with the automaton's state after each, so when a
/// term ends on top it is popped and matching resumes from what is under it;
/// when the pass ends no term occurs in what is kept.
pub(crate) fn removals(text: &[char], terms: &Terms) -> Vec<bool> {
    let mut removed = vec![false; text.len()];

    // Pass 1: every occurrence in the text as written. The longest term
    // ending at a character covers every shorter one ending there.
    let mut starts: Vec<usize> = Vec::new();
    let mut marks = vec![0i32; text.len() + 1];
    let mut state = 0;
    for (i, &c) in text.iter().enumerate() {
        key(c, &mut |k| {
            state = terms.step(state, k);
            starts.push(i);
            let len = terms.nodes[state].out;
            if len > 0 {
                marks[starts[starts.len() - len]] += 1;
                marks[i + 1] -= 1;
            }
        });
    }
    let mut depth = 0;
    for (i, gone) in removed.iter_mut().enumerate() {
        depth += marks[i];
        *gone = depth > 0;
    }

    // Pass 2: occurrences that removing the first ones brought together.
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let mut keys = Vec::new();
    for i in 0..text.len() {
        if removed[i] {
            continue;
        }
        keys.clear();
        key(text[i], &mut |k| keys.push(k));
        for &k in &keys {
            let below = stack.last().map_or(0, |&(_, state)| state);
            let state = terms.step(below, k);
            stack.push((i, state));
            let len = terms.nodes[state].out;
            if len > 0 {
                let start = stack[stack.len() - len].0;
                removed[start..=i].iter_mut().for_each(|gone| *gone = true);
                stack.truncate(stack.len() - len);
                // A character is kept or removed whole, even one whose key
                // is several characters long and only partly matched.
                while stack.last().is_some_and(|&(at, _)| at == start) {
                    stack.pop();
                }
                break;
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(text: &str, terms: &[&str]) -> String {
        let mut chars = Vec::new();
        writable(text, &mut chars);
        let gone = removals(&chars, &Terms::new(terms).unwrap());
        chars
            .iter()
            .zip(&gone)
            .map(|(&c, &g)| if g { '#' } else { c })
            .collect()
    }

    #[test]
    fn keys_ignore_case_accents_space_and_hyphens() {
        assert_eq!(key_of("Zoë O’Neill"), "zoeo'neill");
        assert_eq!(key_of("ZOE  O'NEILL"), "zoeo'neill");
        assert_eq!(key_of("Jean-\nPaul"), "jeanpaul");
        assert_eq!(key_of("Gri\u{FB03}th"), "griffith");
        assert_eq!(key_of("Stra\u{00DF}e"), "strasse");
        assert_eq!(key_of("Jose\u{0301}"), "jose");
        assert_eq!(key_of("Łukasz"), "lukasz");
        assert_eq!(key_of(" \t-\u{00AD}"), "");
    }

    #[test]
    fn writable_keeps_winansi_and_transliterates_the_rest() {
        let mut out = Vec::new();
        writable("Łódź café\u{00A0}€5\r\nﬁne\u{200B}x\u{00AD}y\tz", &mut out);
        assert_eq!(out.iter().collect::<String>(), "Lódz café €5\n\nfinexy z");
        out.clear();
        writable("\u{10FFFD}", &mut out);
        assert_eq!(out, ['?']);
    }

    #[test]
    fn removes_every_occurrence_whatever_the_case_or_spacing() {
        assert_eq!(
            redacted("Dear John Smith, john\n  SMITH wrote", &["John Smith"]),
            "Dear ##########, ############ wrote"
        );
        assert_eq!(redacted("Smithson", &["smith"]), "#####son");
        assert_eq!(redacted("aaaa", &["aa"]), "####");
    }

    #[test]
    fn the_longest_overlapping_term_wins() {
        assert_eq!(
            redacted("John Smith", &["John", "John Smith"]),
            "##########"
        );
        assert_eq!(redacted("abcd", &["bc", "abc", "cd"]), "####");
    }

    #[test]
    fn occurrences_joined_by_a_removal_are_removed_too() {
        assert_eq!(redacted("aXYb", &["xy", "ab"]), "####");
        assert_eq!(redacted("aaXYbb", &["xy", "ab"]), "######");
        assert_eq!(redacted("c aXYb d", &["xy", "ab"]), "c #### d");
    }

    #[test]
    fn a_character_is_removed_whole() {
        // "ß" keys as "ss": a term matching only its second half takes it all.
        assert_eq!(redacted("Maß", &["sa"]), "Maß");
        assert_eq!(redacted("aßa", &["sa"]), "a##");
    }

    #[test]
    fn empty_terms_are_refused() {
        for term in ["", "   ", "\n-", "\u{00AD}"] {
            assert!(
                matches!(Terms::new(&[term]), Err(Error::EmptyTerm)),
                "{term:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn nothing_kept_spells_a_term(
            text in "[aAbB éÉß\n-]{0,60}",
            terms in proptest::collection::vec("[abAB éß-]{1,4}", 1..4),
        ) {
            let terms: Vec<&str> = terms
                .iter()
                .map(String::as_str)
                .filter(|t| !key_of(t).is_empty())
                .collect();
            proptest::prop_assume!(!terms.is_empty());
            let terms = Terms::new(&terms).unwrap();
            let mut chars = Vec::new();
            writable(&text, &mut chars);
            let gone = removals(&chars, &terms);
            let kept: String = chars
                .iter()
                .zip(&gone)
                .filter(|&(_, &g)| !g)
                .map(|(&c, _)| c)
                .collect();
            proptest::prop_assert_eq!(terms.first_in(&kept), None, "kept {:?}", kept);
            // And nothing goes from a text with nothing to find.
            let written: String = chars.iter().collect();
            if terms.first_in(&written).is_none() {
                proptest::prop_assert!(!gone.contains(&true));
            }
        }
    }

    #[test]
    fn the_check_names_the_term_found() {
        let terms = Terms::new(&["Alpha", "Beta Gamma"]).unwrap();
        assert_eq!(terms.first_in("x beta\ngamma y"), Some("Beta Gamma"));
        assert_eq!(terms.first_in("alp ha"), Some("Alpha"));
        assert_eq!(terms.first_in("alp.ha"), None);
    }
}
