/**
 * The {@code mta-sts} command: each subcommand parses its options and calls the module that does the work. The top of
 * the tree: it may depend on every module.
 */
package dev.mtasts.cli;
