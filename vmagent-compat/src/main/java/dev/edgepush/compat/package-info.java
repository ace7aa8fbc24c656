/**
 * vmagent flags and Prometheus scrape config: {@link dev.edgepush.compat.ScrapeConfigReader}, and
 * relabeling with vmagent's semantics ({@link dev.edgepush.compat.Relabeler},
 * {@link dev.edgepush.compat.RelabelConfigReader}, {@link dev.edgepush.compat.TargetRelabeling}).
 */
package dev.edgepush.compat;
