//! Typed view of ADT messages (IHE PAM France): the MSH header and the PID identity fields
//! (ins-rules.md §7.1). [`Header::from_message`] / [`Pid::from_segment`] read; [`Header::to_segment`]
//! / [`Pid::to_segment`] write back only the fields modelled here.

use super::er7::{Component, Field, Hl7Error, Location, Message, Repetition, Segment};

/// The ADT events insilab reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdtEvent {
    /// Admit / visit notification.
    A01,
    /// Register a patient.
    A04,
    /// Update patient information.
    A08,
    /// Add person information.
    A28,
    /// Update person information.
    A31,
    /// Merge patient (patient identifier list).
    A40,
    /// Change patient identifier list.
    A47,
}

impl AdtEvent {
    /// Every event.
    pub const ALL: [AdtEvent; 7] = [
        AdtEvent::A01,
        AdtEvent::A04,
        AdtEvent::A08,
        AdtEvent::A28,
        AdtEvent::A31,
        AdtEvent::A40,
        AdtEvent::A47,
    ];

    /// `A01` …
    pub fn code(self) -> &'static str {
        match self {
            AdtEvent::A01 => "A01",
            AdtEvent::A04 => "A04",
            AdtEvent::A08 => "A08",
            AdtEvent::A28 => "A28",
            AdtEvent::A31 => "A31",
            AdtEvent::A40 => "A40",
            AdtEvent::A47 => "A47",
        }
    }

    /// The event with this code.
    pub fn from_code(code: &str) -> Option<AdtEvent> {
        AdtEvent::ALL.into_iter().find(|e| e.code() == code)
    }

    /// MSH-9.3 message structure (HL7 v2.5 table 0354).
    pub fn structure(self) -> &'static str {
        match self {
            AdtEvent::A01 | AdtEvent::A04 | AdtEvent::A08 => "ADT_A01",
            AdtEvent::A28 | AdtEvent::A31 => "ADT_A05",
            AdtEvent::A40 => "ADT_A39",
            AdtEvent::A47 => "ADT_A30",
        }
    }
}

/// The MSH fields insilab models.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// MSH-3.1 sending application.
    pub sending_application: String,
    /// MSH-4.1 sending facility.
    pub sending_facility: String,
    /// MSH-5.1 receiving application.
    pub receiving_application: String,
    /// MSH-6.1 receiving facility.
    pub receiving_facility: String,
    /// MSH-7 date/time of message (`YYYYMMDDHHMMSS`).
    pub timestamp: String,
    /// MSH-9.2 trigger event.
    pub event: AdtEvent,
    /// MSH-10 control id.
    pub control_id: String,
    /// MSH-11 processing id (`P`, `T`, `D`).
    pub processing_id: String,
    /// MSH-12 version (`2.5`).
    pub version: String,
    /// MSH-17 country (`FRA`).
    pub country: String,
    /// MSH-18 character set (`8859/1`, `UNICODE UTF-8`, or empty).
    pub charset: String,
    /// MSH-21 message profile (`2.11^IHE_FR` …) as components of its first repetition.
    pub profile: Vec<String>,
}

fn loc(seg: &str, index: usize, field: usize) -> Location {
    Location {
        segment_index: index,
        segment: seg.to_owned(),
        field: Some(field),
        ..Location::default()
    }
}

fn text(v: &str) -> Field {
    if v.is_empty() {
        Vec::new()
    } else {
        vec![vec![vec![v.to_owned()]]]
    }
}

fn comps(values: &[&str]) -> Repetition {
    values.iter().map(|v| vec![(*v).to_owned()]).collect()
}

impl Header {
    /// Reads the header of `msg`: MSH-9 must be `ADT^<one of the events>`.
    pub fn from_message(msg: &Message) -> Result<Header, Hl7Error> {
        let msh = msg.segment("MSH").ok_or(Hl7Error::Missing {
            at: Box::new(loc("MSH", 1, 0)),
        })?;
        let kind = msh.component(9, 1, 1);
        let code = msh.component(9, 1, 2);
        if kind != "ADT" {
            return Err(Hl7Error::Invalid {
                at: Box::new(loc("MSH", 1, 9)),
                found: kind.chars().take(32).collect(),
                reason: "message type is not ADT",
            });
        }
        let event = AdtEvent::from_code(code).ok_or_else(|| Hl7Error::Invalid {
            at: Box::new(Location {
                component: Some(2),
                repetition: Some(1),
                ..loc("MSH", 1, 9)
            }),
            found: code.chars().take(32).collect(),
            reason: "event is not one of A01 A04 A08 A28 A31 A40 A47",
        })?;
        let profile = msh
            .field(21)
            .and_then(|f| f.first())
            .map(|rep| {
                rep.iter()
                    .map(|c| c.first().cloned().unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default();
        Ok(Header {
            sending_application: msh.value(3).to_owned(),
            sending_facility: msh.value(4).to_owned(),
            receiving_application: msh.value(5).to_owned(),
            receiving_facility: msh.value(6).to_owned(),
            timestamp: msh.value(7).to_owned(),
            event,
            control_id: msh.value(10).to_owned(),
            processing_id: msh.value(11).to_owned(),
            version: msh.value(12).to_owned(),
            country: msh.value(17).to_owned(),
            charset: msh.value(18).to_owned(),
            profile,
        })
    }

    /// The MSH segment for this header.
    pub fn to_segment(&self) -> Segment {
        let mut s = Segment::new("MSH");
        s.set(3, text(&self.sending_application));
        s.set(4, text(&self.sending_facility));
        s.set(5, text(&self.receiving_application));
        s.set(6, text(&self.receiving_facility));
        s.set(7, text(&self.timestamp));
        s.set(
            9,
            vec![comps(&["ADT", self.event.code(), self.event.structure()])],
        );
        s.set(10, text(&self.control_id));
        s.set(11, text(&self.processing_id));
        s.set(12, text(&self.version));
        s.set(17, text(&self.country));
        s.set(18, text(&self.charset));
        if self.profile.iter().any(|p| !p.is_empty()) {
            s.set(
                21,
                vec![self.profile.iter().map(|p| vec![p.clone()]).collect()],
            );
        }
        s
    }
}

/// HD: an assigning authority (CX-4), `namespace&universal id&type`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hd {
    /// HD-1 namespace id (`ASIP-SANTE-INS-NIR`).
    pub namespace: String,
    /// HD-2 universal id (the OID).
    pub universal_id: String,
    /// HD-3 universal id type (`ISO`).
    pub universal_id_type: String,
}

/// CX: one PID-3 repetition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cx {
    /// CX-1 the identifier (matricule, IPP).
    pub id: String,
    /// CX-4 assigning authority.
    pub authority: Hd,
    /// CX-5 identifier type code (`INS`, `PI`, `NH` …).
    pub type_code: String,
    /// CX-7 effective date.
    pub effective_date: String,
}

/// XPN: one PID-5 repetition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Xpn {
    /// XPN-1 family name (first sub-component).
    pub family: String,
    /// XPN-2 given name (first birth first name in the `L` repetition).
    pub given: String,
    /// XPN-3 second and further given names (the whole first-names list in the `L` repetition).
    pub further_given: String,
    /// XPN-5 prefix (civility).
    pub prefix: String,
    /// XPN-7 name type code (`L` birth name, `D` used name).
    pub type_code: String,
}

/// XAD: one PID-11 repetition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Xad {
    /// XAD-1 street (first sub-component).
    pub street: String,
    /// XAD-3 city.
    pub city: String,
    /// XAD-5 postal code.
    pub zip: String,
    /// XAD-6 country.
    pub country: String,
    /// XAD-7 address type (`H` home, `BDL` birth place).
    pub type_code: String,
    /// XAD-9 county/parish code (the COG code in the `BDL` repetition).
    pub county: String,
}

/// The PID identity fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pid {
    /// PID-1 set id.
    pub set_id: String,
    /// PID-3 repetitions.
    pub identifiers: Vec<Cx>,
    /// PID-5 repetitions.
    pub names: Vec<Xpn>,
    /// PID-7 birth date (`YYYYMMDD`).
    pub birth_date: String,
    /// PID-8 administrative sex.
    pub sex: String,
    /// PID-11 repetitions.
    pub addresses: Vec<Xad>,
    /// PID-31 identity unknown indicator.
    pub identity_unknown: String,
    /// PID-32 identity reliability codes (repeating).
    pub reliability: Vec<String>,
}

fn comp_at(rep: &Repetition, c: usize) -> &[String] {
    rep.get(c - 1).map_or(&[], Vec::as_slice)
}

fn first(rep: &Repetition, c: usize) -> String {
    comp_at(rep, c).first().cloned().unwrap_or_default()
}

fn sub(rep: &Repetition, c: usize, s: usize) -> String {
    comp_at(rep, c).get(s - 1).cloned().unwrap_or_default()
}

/// Builds a repetition from `(component number, sub-components)` pairs.
fn build(parts: &[(usize, Component)]) -> Repetition {
    let n = parts.iter().map(|(c, _)| *c).max().unwrap_or(1);
    let mut rep: Repetition = vec![vec![String::new()]; n];
    for (c, subs) in parts {
        if let Some(slot) = rep.get_mut(c - 1) {
            *slot = if subs.is_empty() {
                vec![String::new()]
            } else {
                subs.clone()
            };
        }
    }
    for comp in &mut rep {
        while comp.len() > 1 && comp.last().is_some_and(String::is_empty) {
            comp.pop();
        }
    }
    while rep.len() > 1 && rep.last().is_some_and(|c| c.len() == 1 && c[0].is_empty()) {
        rep.pop();
    }
    rep
}

fn one(v: &str) -> Component {
    vec![v.to_owned()]
}

impl Cx {
    fn from_rep(rep: &Repetition) -> Cx {
        Cx {
            id: first(rep, 1),
            authority: Hd {
                namespace: sub(rep, 4, 1),
                universal_id: sub(rep, 4, 2),
                universal_id_type: sub(rep, 4, 3),
            },
            type_code: first(rep, 5),
            effective_date: first(rep, 7),
        }
    }

    fn to_rep(&self) -> Repetition {
        let a = &self.authority;
        build(&[
            (1, one(&self.id)),
            (
                4,
                vec![
                    a.namespace.clone(),
                    a.universal_id.clone(),
                    a.universal_id_type.clone(),
                ],
            ),
            (5, one(&self.type_code)),
            (7, one(&self.effective_date)),
        ])
    }
}

impl Xpn {
    fn from_rep(rep: &Repetition) -> Xpn {
        Xpn {
            family: first(rep, 1),
            given: first(rep, 2),
            further_given: first(rep, 3),
            prefix: first(rep, 5),
            type_code: first(rep, 7),
        }
    }

    fn to_rep(&self) -> Repetition {
        build(&[
            (1, one(&self.family)),
            (2, one(&self.given)),
            (3, one(&self.further_given)),
            (5, one(&self.prefix)),
            (7, one(&self.type_code)),
        ])
    }
}

impl Xad {
    fn from_rep(rep: &Repetition) -> Xad {
        Xad {
            street: first(rep, 1),
            city: first(rep, 3),
            zip: first(rep, 5),
            country: first(rep, 6),
            type_code: first(rep, 7),
            county: first(rep, 9),
        }
    }

    fn to_rep(&self) -> Repetition {
        build(&[
            (1, one(&self.street)),
            (3, one(&self.city)),
            (5, one(&self.zip)),
            (6, one(&self.country)),
            (7, one(&self.type_code)),
            (9, one(&self.county)),
        ])
    }
}

fn reps<T>(seg: &Segment, n: usize, f: impl Fn(&Repetition) -> T) -> Vec<T> {
    seg.field(n)
        .map(|fl| fl.iter().map(f).collect())
        .unwrap_or_default()
}

fn is_blank(rep: &Repetition) -> bool {
    rep.iter().all(|c| c.iter().all(String::is_empty))
}

impl Pid {
    /// Reads the PID of a message (the first PID segment).
    pub fn from_message(msg: &Message) -> Result<Pid, Hl7Error> {
        let seg = msg.segment("PID").ok_or(Hl7Error::Missing {
            at: Box::new(Location {
                segment: "PID".into(),
                ..Location::default()
            }),
        })?;
        Ok(Pid::from_segment(seg))
    }

    /// Reads the identity fields of a PID segment (never fails: absent fields are empty).
    pub fn from_segment(seg: &Segment) -> Pid {
        Pid {
            set_id: seg.value(1).to_owned(),
            identifiers: reps(seg, 3, Cx::from_rep),
            names: reps(seg, 5, Xpn::from_rep),
            birth_date: seg.value(7).to_owned(),
            sex: seg.value(8).to_owned(),
            addresses: reps(seg, 11, Xad::from_rep),
            identity_unknown: seg.value(31).to_owned(),
            reliability: reps(seg, 32, |r| first(r, 1)),
        }
    }

    /// The PID segment holding these fields.
    pub fn to_segment(&self) -> Segment {
        let mut s = Segment::new("PID");
        let field = |v: Vec<Repetition>| -> Field {
            if v.iter().all(is_blank) {
                Vec::new()
            } else {
                v
            }
        };
        s.set(1, text(&self.set_id));
        s.set(3, field(self.identifiers.iter().map(Cx::to_rep).collect()));
        s.set(5, field(self.names.iter().map(Xpn::to_rep).collect()));
        s.set(7, text(&self.birth_date));
        s.set(8, text(&self.sex));
        s.set(11, field(self.addresses.iter().map(Xad::to_rep).collect()));
        s.set(31, text(&self.identity_unknown));
        s.set(
            32,
            field(self.reliability.iter().map(|c| vec![one(c)]).collect()),
        );
        s
    }

    /// The `L` (birth name) repetition of PID-5.
    pub fn birth_name(&self) -> Option<&Xpn> {
        self.names.iter().find(|n| n.type_code == "L")
    }

    /// The `BDL` (birth place) repetition of PID-11.
    pub fn birth_place(&self) -> Option<&Xad> {
        self.addresses.iter().find(|a| a.type_code == "BDL")
    }

    /// PID-3 repetitions that claim to be an INS: CX-5 `INS`, or an authority namespace starting
    /// with `ASIP-SANTE-INS-N`, or an authority OID under the INS root.
    pub fn ins_identifiers(&self) -> impl Iterator<Item = (usize, &Cx)> {
        self.identifiers.iter().enumerate().filter(|(_, cx)| {
            cx.type_code == "INS"
                || cx.authority.namespace.starts_with("ASIP-SANTE-INS-N")
                || cx
                    .authority
                    .universal_id
                    .strip_prefix(insilab_core::ins::INS_OID_ROOT)
                    .is_some_and(|rest| rest.starts_with('.') && rest != ".2")
        })
    }
}

impl Pid {
    /// The INS of this PID as a core [`Ins`](insilab_core::ins::Ins): the first INS repetition
    /// whose matricule (key included) and OID are valid. The rules report the others.
    pub fn ins(&self) -> Option<insilab_core::ins::Ins> {
        self.ins_identifiers().find_map(|(_, cx)| {
            let m = insilab_core::ins::Matricule::parse(&cx.id).ok()?;
            let o = insilab_core::ins::Oid::parse(&cx.authority.universal_id).ok()?;
            Some(insilab_core::ins::Ins::new(m, o))
        })
    }

    /// The strict traits as core [`Traits`](insilab_core::ins::Traits): birth name and
    /// first-names list from the `L` repetition of PID-5, PID-7, PID-8, and the COG code of the
    /// `BDL` repetition of PID-11. Typed error naming the field when one is absent or invalid.
    pub fn traits(&self) -> Result<insilab_core::ins::Traits, Hl7Error> {
        use insilab_core::ins::{BirthDate, Cog, Sex, Traits};
        let at = |field: usize| {
            Box::new(Location {
                segment: "PID".into(),
                field: Some(field),
                ..Location::default()
            })
        };
        let l = self
            .birth_name()
            .ok_or_else(|| Hl7Error::Missing { at: at(5) })?;
        if l.family.is_empty() || l.further_given.is_empty() {
            return Err(Hl7Error::Missing { at: at(5) });
        }
        let sex = Sex::parse(&self.sex).map_err(|_| Hl7Error::Invalid {
            at: at(8),
            found: self.sex.chars().take(32).collect(),
            reason: "sex is neither M nor F",
        })?;
        let d = &self.birth_date;
        let iso = match (d.get(0..4), d.get(4..6), d.get(6..8)) {
            (Some(y), Some(m), Some(dd)) if d.len() == 8 => format!("{y}-{m}-{dd}"),
            _ => String::new(),
        };
        let birth_date = BirthDate::parse(&iso).map_err(|_| Hl7Error::Invalid {
            at: at(7),
            found: d.chars().take(32).collect(),
            reason: "birth date is not YYYYMMDD",
        })?;
        let birthplace = match self.birth_place() {
            Some(a) if !a.county.is_empty() => {
                Some(Cog::parse(&a.county).map_err(|_| Hl7Error::Invalid {
                    at: at(11),
                    found: a.county.chars().take(32).collect(),
                    reason: "birth place is not a 5-character COG code",
                })?)
            }
            _ => None,
        };
        Ok(Traits {
            birth_name: l.family.clone(),
            first_names: l.further_given.split(' ').map(str::to_owned).collect(),
            sex,
            birth_date,
            birthplace,
        })
    }
}

/// Builds an ADT message from its header, PID and any further segments (EVN, PV1, ZFD …),
/// with the default delimiters.
pub fn build_adt(header: &Header, pid: &Pid, extra: Vec<Segment>) -> Message {
    let mut segments = vec![header.to_segment(), pid.to_segment()];
    segments.extend(extra);
    Message {
        delimiters: super::Delimiters::default(),
        segments,
    }
}
