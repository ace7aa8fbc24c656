/** central-ingest: the fleet's ingest endpoint (issue 4). */
package dev.edgepush.ingest;
