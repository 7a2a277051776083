//! Identity statuses and attributes: the transitions and combinations of ins-rules.md §2.
#![expect(clippy::unwrap_used, reason = "test fixtures")]

use IdentityStatus::{Prov, Qual, Recup, Vali};
use insilab_core::ins::status::{Attributes, Event, IdentityState, IdentityStatus, StatusError};

fn state(status: IdentityStatus) -> IdentityState {
    IdentityState {
        status,
        attributes: Attributes::default(),
    }
}

#[test]
fn creation_events() {
    assert_eq!(
        IdentityState::create(Event::ManualCreation).unwrap().status,
        Prov
    );
    assert_eq!(
        IdentityState::create(Event::AppliCarteVitale)
            .unwrap()
            .status,
        Qual
    );
    assert_eq!(
        IdentityState::create(Event::SetDouteuse),
        Err(StatusError::NotACreation {
            event: Event::SetDouteuse
        })
    );
    assert_eq!(
        state(Prov).transition(Event::ManualCreation),
        Err(StatusError::AlreadyCreated {
            event: Event::ManualCreation
        })
    );
}

#[test]
fn the_two_axes_lead_to_qual() {
    let ok = Event::InsiRetrieval { traits_match: true };
    let s = state(Prov).apply(ok).unwrap();
    assert_eq!(s.status, Recup);
    assert_eq!(s.apply(Event::DocumentCheck).unwrap().status, Qual);
    let v = state(Prov).apply(Event::DocumentCheck).unwrap();
    assert_eq!(v.status, Vali);
    assert_eq!(v.apply(ok).unwrap().status, Qual);
    // Traits that do not match: no silent upgrade.
    assert_eq!(
        state(Vali)
            .apply(Event::InsiRetrieval {
                traits_match: false
            })
            .unwrap()
            .status,
        Vali
    );
    // Appli carte Vitale qualifies directly.
    assert_eq!(
        state(Prov).apply(Event::AppliCarteVitale).unwrap().status,
        Qual
    );
}

#[test]
fn douteuse_forces_prov_and_blocks_insi() {
    let q = state(Qual);
    assert!(q.may_transmit_ins());
    let d = q.apply(Event::SetDouteuse).unwrap();
    assert_eq!(d.status, Prov);
    assert!(!d.may_call_insi());
    assert!(!d.may_transmit_ins());
    assert_eq!(
        d.transition(Event::InsiRetrieval { traits_match: true }),
        Err(StatusError::InsiCallForbidden {
            attribute: "douteuse"
        })
    );
    assert_eq!(
        d.transition(Event::DocumentCheck),
        Err(StatusError::MustStayProvisional {
            attribute: "douteuse"
        })
    );
    assert_eq!(
        d.transition(Event::AppliCarteVitale),
        Err(StatusError::MustStayProvisional {
            attribute: "douteuse"
        })
    );
    // Clearing the attribute re-opens the INSi call; the status stays PROV.
    let cleared = d.apply(Event::ClearDouteuse).unwrap();
    assert_eq!(cleared.status, Prov);
    assert!(cleared.may_call_insi());
}

#[test]
fn combination_rules() {
    // douteuse + homonyme: accepted.
    let dh = state(Recup)
        .apply(Event::SetHomonyme)
        .unwrap()
        .apply(Event::SetDouteuse)
        .unwrap();
    assert_eq!(dh.status, Prov);
    assert!(dh.attributes.homonyme && dh.attributes.douteuse);
    // fictive combines with nothing.
    assert!(matches!(
        dh.transition(Event::SetFictive),
        Err(StatusError::ForbiddenCombination { .. })
    ));
    let f = state(Vali).apply(Event::SetFictive).unwrap();
    assert_eq!(f.status, Prov);
    assert!(!f.may_call_insi());
    for e in [Event::SetDouteuse, Event::SetHomonyme] {
        assert!(
            matches!(
                f.transition(e),
                Err(StatusError::ForbiddenCombination { .. })
            ),
            "{e:?}"
        );
    }
    // homonyme alone is compatible with every status.
    for s in [Prov, Recup, Vali, Qual] {
        let h = state(s).apply(Event::SetHomonyme).unwrap();
        assert_eq!(h.status, s);
        assert_eq!(h.may_transmit_ins(), s == Qual);
    }
}

#[test]
fn stored_states_are_checked() {
    let bad = IdentityState {
        status: Qual,
        attributes: Attributes {
            douteuse: true,
            ..Attributes::default()
        },
    };
    assert!(matches!(
        bad.check(),
        Err(StatusError::MustStayProvisional { .. })
    ));
    let bad = IdentityState {
        status: Prov,
        attributes: Attributes {
            douteuse: true,
            fictive: true,
            homonyme: false,
        },
    };
    assert!(matches!(
        bad.check(),
        Err(StatusError::ForbiddenCombination { .. })
    ));
    assert_eq!(serde_json::to_string(&Qual).unwrap(), "\"QUAL\"");
    assert_eq!(IdentityStatus::from_code("RECUP"), Some(Recup));
}
