/**
 * Pictures of the TLS reports: one self-contained HTML page per set of domains and days, read from the tables, and
 * the demo month of reports it is shown with. Depends on core and store.
 */
package dev.mtasts.pages;
