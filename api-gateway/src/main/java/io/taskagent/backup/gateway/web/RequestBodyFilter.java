package io.taskagent.backup.gateway.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Checks the body of every request to the REST API ({@code /api/**}) before anything parses it, the same for every
 * endpoint:
 * <ul>
 *   <li>larger than {@code gateway.request.max-body-size} (default 1 MiB): 413, from the declared
 *   {@code Content-Length} without reading, or once a chunked body passes the limit;</li>
 *   <li>not UTF-8 (JSON is UTF-8, RFC 8259): a {@code charset} other than UTF-8 (or its subset US-ASCII) in the
 *   {@code Content-Type}, or bytes that are not well-formed UTF-8: 400 naming the problem and the byte offset.</li>
 * </ul>
 * The checked body is then handed on from memory (at most the limit per request). Nothing is published for a refused
 * request; the error names no byte of the body.
 */
public class RequestBodyFilter extends OncePerRequestFilter {

    private final int limit;

    public RequestBodyFilter(RequestLimits limits) {
        this.limit = (int) limits.maxBodySize().toBytes();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !path.startsWith("/api/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        String encoding = request.getHeader("Transfer-Encoding");
        boolean chunked = encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked");
        if (declared == 0 || declared < 0 && !chunked) {
            chain.doFilter(request, response);
            return;
        }
        String charset = declaredCharset(request.getContentType());
        if (charset != null && !isUtf8(charset)) {
            problem(response, HttpServletResponse.SC_BAD_REQUEST, "Invalid request", "the request body must be UTF-8 "
                    + "(JSON, RFC 8259) but its Content-Type declares the charset '" + shown(charset) + "'");
            return;
        }
        if (declared > limit) {
            tooLarge(response);
            return;
        }
        byte[] body = request.getInputStream().readNBytes(limit + 1);
        if (body.length > limit) {
            tooLarge(response);
            return;
        }
        int malformed = firstMalformedUtf8(body);
        if (malformed >= 0) {
            problem(response, HttpServletResponse.SC_BAD_REQUEST, "Invalid request",
                    "the request body is not valid UTF-8 (JSON must be UTF-8, RFC 8259): malformed at byte " + malformed);
            return;
        }
        chain.doFilter(new Checked(request, body), response);
    }

    private void tooLarge(HttpServletResponse response) throws IOException {
        problem(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "Payload too large",
                "the request body is larger than " + limit + " bytes (gateway.request.max-body-size)");
    }

    /** The offset of the first byte that is not well-formed UTF-8, or -1 when all of it is. */
    static int firstMalformedUtf8(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(Math.min(body.length, 8192) + 2);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return in.position();
            }
            if (result.isOverflow()) {
                out.clear();
                continue;
            }
            result = decoder.flush(out);
            if (result.isOverflow()) {
                out.clear();
                continue;
            }
            return result.isError() ? in.position() : -1;
        }
    }

    private static String declaredCharset(String contentType) {
        if (contentType == null) {
            return null;
        }
        try {
            String charset = MediaType.parseMediaType(contentType).getParameter("charset");
            return charset == null ? null : charset.replace("\"", "").trim();
        } catch (RuntimeException e) {
            return null; // not a media type at all: the body is read as JSON anyway (JsonBodyFilter)
        }
    }

    private static boolean isUtf8(String charset) {
        try {
            Charset named = Charset.forName(charset);
            return named.equals(StandardCharsets.UTF_8) || named.equals(StandardCharsets.US_ASCII);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String shown(String value) {
        String safe = value.replaceAll("[^A-Za-z0-9._:-]", "?");
        return safe.length() > 40 ? safe.substring(0, 40) + "..." : safe;
    }

    private static void problem(HttpServletResponse response, int status, String title, String detail)
            throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The request with its checked body, read from memory. */
    private static final class Checked extends HttpServletRequestWrapper {

        private final byte[] body;

        Checked(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body is already read");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Registration {
        @Bean
        FilterRegistrationBean<RequestBodyFilter> requestBodyFilter(RequestLimits limits) {
            FilterRegistrationBean<RequestBodyFilter> registration = new FilterRegistrationBean<>(new RequestBodyFilter(limits));
            registration.addUrlPatterns("/api/*");
            // before JsonBodyFilter (which reports every body as application/json, without its charset)
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
            return registration;
        }
    }
}
