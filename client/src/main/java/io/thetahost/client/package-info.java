/**
 * The theta git extension. Nothing here yet.
 */
package io.thetahost.client;
