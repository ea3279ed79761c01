package io.taskagent.backup.gateway.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down token guessing: every wrong token a client presents (API bearer token or dashboard sign-in) takes one of
 * its {@code maxFailures} allowances, which come back one per {@code window / maxFailures}. A client with none left
 * is refused (429 with {@code Retry-After}) before its token is even looked at, whatever token it presents, until
 * one comes back; other clients are not affected. A right token does not reset the count (a client holding one
 * token must not guess others between its own calls).
 *
 * <p>A client is its address as the servlet container sees it ({@code request.getRemoteAddr()}): behind a reverse
 * proxy that is the proxy, unless the proxy is trusted explicitly ({@code server.forward-headers-strategy=native} and
 * {@code server.tomcat.remoteip.internal-proxies}), when it is the client the proxy names. An IPv6 address counts by
 * its /64 network (one host usually holds all of it).
 *
 * <p>Memory is bounded: at most {@code maxClients} entries, each dropped once its client is forgiven everything, the
 * least recently seen first when full.
 */
public final class AuthThrottle {

    private final boolean enabled;
    private final double capacity;
    private final long refillNanos;
    private final int maxClients;
    private final Clock clock;
    private final LinkedHashMap<String, Bucket> buckets = new LinkedHashMap<>(64, 0.75f, true);

    /** Allowances left (fractional while coming back) as of {@code at} (nanoseconds on the clock). */
    private static final class Bucket {
        double left;
        long at;

        Bucket(double left, long at) {
            this.left = left;
            this.at = at;
        }
    }

    public AuthThrottle(AuthThrottleProperties properties) {
        this(properties, Clock.systemUTC());
    }

    AuthThrottle(AuthThrottleProperties properties, Clock clock) {
        this.enabled = properties.enabled();
        this.capacity = properties.maxFailures();
        this.refillNanos = Math.max(1, properties.window().toNanos() / properties.maxFailures());
        this.maxClients = properties.maxClients();
        this.clock = clock;
    }

    /** How long {@code address} must wait before presenting a token again, or empty when it may now. */
    public Optional<Duration> refusal(String address) {
        if (!enabled) {
            return Optional.empty();
        }
        String key = key(address);
        long now = nanos();
        synchronized (buckets) {
            Bucket bucket = buckets.get(key);
            if (bucket == null) {
                return Optional.empty();
            }
            refill(bucket, now);
            if (bucket.left >= 1) {
                return Optional.empty();
            }
            long wait = (long) Math.ceil((1 - bucket.left) * refillNanos);
            return Optional.of(Duration.ofNanos(Math.max(wait, 1)));
        }
    }

    /** Records a wrong token presented by {@code address}. */
    public void failure(String address) {
        if (!enabled) {
            return;
        }
        String key = key(address);
        long now = nanos();
        synchronized (buckets) {
            Bucket bucket = buckets.get(key);
            if (bucket == null) {
                if (buckets.size() >= maxClients) {
                    evict(now);
                }
                bucket = new Bucket(capacity, now);
                buckets.put(key, bucket);
            } else {
                refill(bucket, now);
            }
            bucket.left = Math.max(0, bucket.left - 1);
        }
    }

    /** Clients remembered now (for tests and the bound). */
    int size() {
        synchronized (buckets) {
            return buckets.size();
        }
    }

    private void refill(Bucket bucket, long now) {
        if (now > bucket.at) {
            bucket.left = Math.min(capacity, bucket.left + (double) (now - bucket.at) / refillNanos);
            bucket.at = now;
        }
    }

    /** Drops every forgiven entry; if still full, the least recently seen ones. Called with the lock held. */
    private void evict(long now) {
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket bucket = it.next();
            refill(bucket, now);
            if (bucket.left >= capacity) {
                it.remove();
            }
        }
        for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator();
             it.hasNext() && buckets.size() >= maxClients; ) {
            it.next();
            it.remove();
        }
    }

    private long nanos() {
        Duration since = Duration.between(java.time.Instant.EPOCH, clock.instant());
        return since.toNanos();
    }

    /** The client an address stands for: an IPv4 address itself, an IPv6 address its /64 network. */
    static String key(String address) {
        if (address == null || address.isEmpty()) {
            return "?";
        }
        String literal = address.startsWith("[") && address.endsWith("]")
                ? address.substring(1, address.length() - 1) : address;
        int zone = literal.indexOf('%');
        literal = zone < 0 ? literal : literal.substring(0, zone);
        // only an IPv6 literal is parsed (InetAddress would look anything else up in DNS)
        if (address.indexOf(':') < 0 || !literal.matches("[0-9A-Fa-f:.]{2,45}")) {
            return address.length() > 64 ? address.substring(0, 64) : address;
        }
        try {
            byte[] bytes = InetAddress.getByName(literal).getAddress();
            if (bytes.length != 16) {
                return InetAddress.getByAddress(bytes).getHostAddress();
            }
            byte[] network = Arrays.copyOf(Arrays.copyOf(bytes, 8), 16);
            return InetAddress.getByAddress(network).getHostAddress() + "/64";
        } catch (UnknownHostException | RuntimeException e) {
            return address;
        }
    }
}
