//! insilab-reports: the results model (independent of cucumber), the requirement catalogue,
//! the DSR mapping, and the HTML, JUnit, JSON and Markdown writers.
#![forbid(unsafe_code)]

