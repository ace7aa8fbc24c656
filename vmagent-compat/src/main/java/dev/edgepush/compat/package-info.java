/** vmagent flags and Prometheus scrape config. */
package dev.edgepush.compat;
