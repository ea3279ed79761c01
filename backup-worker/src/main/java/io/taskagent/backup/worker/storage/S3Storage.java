package io.taskagent.backup.worker.storage;

import io.taskagent.backup.model.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An S3-compatible bucket (AWS, MinIO, Ceph, R2, Wasabi, Garage) under a key prefix, through the AWS SDK for Java
 * v2. A file is written as a multipart upload streamed part by part ({@code partSize} bytes each, at most
 * {@value #PARTS_IN_FLIGHT} parts uploading while the next fills: memory stays bounded, nothing is staged on disk)
 * and appears under its key only when the upload completes; a file smaller than one part is one PUT. An upload
 * closed without a commit is aborted; one a crashed worker left is aborted by {@link #removeAbandoned}. Credentials
 * are configured or come from the SDK's default chain, and appear in no message.
 */
public class S3Storage implements BackupStorage, AutoCloseable {

    static final int PARTS_IN_FLIGHT = 2;
    static final int MAX_PARTS = 10_000;
    static final int ABANDONED_AFTER_HOURS = 24;
    /** Upload ids of this process's unfinished uploads: never aborted as abandoned. */
    private final java.util.Set<String> openUploads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final Logger log = LoggerFactory.getLogger(S3Storage.class);

    private final String name;
    private final String bucket;
    private final String prefix;
    private final String endpoint;
    private final int partSize;
    private final StorageClass storageClass;
    private final ServerSideEncryption serverSideEncryption;
    private final S3Client s3;
    private final ExecutorService uploaders;

    /** Settings of an S3 destination; {@code accessKeyId} null: the SDK's default credentials chain. */
    public record Settings(String bucket, String prefix, String endpoint, String region, boolean pathStyle,
                           String accessKeyId, String secretAccessKey, String storageClass,
                           String serverSideEncryption, int partSizeMb) {
        @Override
        public String toString() {
            return "S3Settings[bucket=" + bucket + ", prefix=" + prefix + ", endpoint=" + endpoint + ", region="
                    + region + ", pathStyle=" + pathStyle + ", accessKeyId=" + (accessKeyId == null ? null : "***")
                    + ", secretAccessKey=***]";
        }
    }

    public S3Storage(String name, Settings settings) {
        this.name = name;
        if (settings.bucket() == null || settings.bucket().isBlank()) {
            throw new IllegalArgumentException("backup storage '" + name + "': type s3 needs a bucket");
        }
        if (settings.partSizeMb() < 5 || settings.partSizeMb() > 512) {
            throw new IllegalArgumentException("backup storage '" + name + "': part size must be 5 to 512 MB, not "
                    + settings.partSizeMb());
        }
        this.bucket = settings.bucket();
        String p = settings.prefix() == null ? "" : settings.prefix().replaceAll("^/+|/+$", "");
        this.prefix = p.isEmpty() ? "" : p + "/";
        this.endpoint = settings.endpoint() == null || settings.endpoint().isBlank() ? null : settings.endpoint();
        this.partSize = settings.partSizeMb() << 20;
        this.storageClass = blank(settings.storageClass()) ? null : StorageClass.fromValue(settings.storageClass());
        if (storageClass == StorageClass.UNKNOWN_TO_SDK_VERSION) {
            log.warn("backup storage '{}': storage class '{}' is not one the SDK knows; sent as given", name,
                    settings.storageClass());
        }
        this.serverSideEncryption = blank(settings.serverSideEncryption()) ? null
                : ServerSideEncryption.fromValue(settings.serverSideEncryption());
        boolean staticKeys = !blank(settings.accessKeyId());
        if (staticKeys && blank(settings.secretAccessKey())) {
            throw new IllegalArgumentException("backup storage '" + name + "': an access key id needs its secret access key");
        }
        AwsCredentialsProvider credentials = staticKeys
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()))
                : DefaultCredentialsProvider.builder().build();
        var builder = S3Client.builder()
                .region(Region.of(blank(settings.region()) ? "us-east-1" : settings.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyle())
                // whole parts of known length, signed as they are: no aws-chunked framing, which not every
                // S3-compatible server decodes (s3rver stores it as content)
                .serviceConfiguration(software.amazon.awssdk.services.s3.S3Configuration.builder()
                        .chunkedEncodingEnabled(false).build())
                // S3-compatible servers do not all take the SDK's trailing checksums; SHA-256 of the whole file is
                // ours (the manifest), and TLS or SigV4 protect each request
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(16)
                        .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(60)));
        if (endpoint != null) {
            builder.endpointOverride(URI.create(endpoint));
        }
        this.s3 = builder.build();
        this.uploaders = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "s3-upload-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "s3";
    }

    @Override
    public String location() {
        return "s3://" + bucket + "/" + prefix + (endpoint == null ? "" : " at " + endpoint);
    }

    private String key(String fileName) {
        if (!Names.isPlainFileName(fileName)) {
            throw new IllegalArgumentException("not a plain backup file name: " + fileName);
        }
        return prefix + fileName;
    }

    /** An SDK failure as an IOException naming the destination, the operation and the key; never a credential. */
    private IOException failure(String operation, String fileName, SdkException e) {
        String why;
        if (e instanceof S3Exception s3e && s3e.awsErrorDetails() != null) {
            String code = s3e.awsErrorDetails().errorCode();
            why = s3e.statusCode() + " " + (code == null ? "" : code + ": ")
                    + (s3e.awsErrorDetails().errorMessage() == null ? "" : s3e.awsErrorDetails().errorMessage());
            if ("NoSuchBucket".equals(code)) {
                why = "bucket '" + bucket + "' does not exist (" + why + ")";
            } else if (s3e.statusCode() == 403) {
                why = "access denied: check the destination's credentials (" + why + ")";
            }
        } else if (e instanceof SdkClientException) {
            why = "unreachable: " + e.getMessage();
        } else {
            why = e.getMessage();
        }
        return new IOException("backup storage '" + name + "' (" + location() + "): " + operation
                + (fileName == null ? "" : " " + fileName) + " failed: " + why, e);
    }

    @Override
    public Upload create(String fileName) throws IOException {
        String key = key(fileName);
        if (stat(fileName).isPresent()) {
            throw new IOException("backup file " + fileName + " exists already in " + location());
        }
        return new PartUpload(fileName, key);
    }

    @Override
    public InputStream open(String fileName) throws IOException {
        try {
            var response = s3.getObject(b -> b.bucket(bucket).key(key(fileName)));
            // closed before its end (a header read): the connection is dropped rather than the rest downloaded
            return new java.io.FilterInputStream(response) {
                private boolean ended;

                @Override
                public int read() throws IOException {
                    int b = super.read();
                    ended |= b < 0;
                    return b;
                }

                @Override
                public int read(byte[] buffer, int off, int len) throws IOException {
                    int n = super.read(buffer, off, len);
                    ended |= n < 0;
                    return n;
                }

                @Override
                public void close() throws IOException {
                    if (!ended) {
                        response.abort();
                    }
                    super.close();
                }
            };
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException("file " + fileName + " is missing from " + location());
        } catch (SdkException e) {
            throw failure("reading", fileName, e);
        }
    }

    @Override
    public Optional<StoredObject> stat(String fileName) throws IOException {
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key(fileName)));
            return Optional.of(new StoredObject(fileName, head.contentLength(), head.lastModified()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("looking up", fileName, e);
        } catch (SdkException e) {
            throw failure("looking up", fileName, e);
        }
    }

    @Override
    public List<StoredObject> list() throws IOException {
        List<StoredObject> files = new ArrayList<>();
        try {
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                String fileName = object.key().substring(prefix.length());
                if (!fileName.isEmpty() && !fileName.contains("/") && !fileName.startsWith(".")) {
                    files.add(new StoredObject(fileName, object.size(), object.lastModified()));
                }
            }
        } catch (SdkException e) {
            throw failure("listing", null, e);
        }
        return files;
    }

    @Override
    public boolean delete(String fileName) throws IOException {
        if (stat(fileName).isEmpty()) {
            return false;
        }
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key(fileName)));
            return true;
        } catch (SdkException e) {
            throw failure("deleting", fileName, e);
        }
    }

    @Override
    public OptionalLong freeBytes() {
        return OptionalLong.empty();
    }

    @Override
    public void probe() throws IOException {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (SdkException e) {
            if (e instanceof S3Exception s3e && s3e.statusCode() == 404) {
                throw new IOException("backup storage '" + name + "' (" + location() + "): bucket '" + bucket
                        + "' does not exist", e);
            }
            throw failure("checking bucket", null, e);
        }
        String probe = ".health-probe-" + UUID.randomUUID();
        String step = "writing";
        try {
            s3.putObject(b -> b.bucket(bucket).key(prefix + probe), RequestBody.fromString("probe"));
            step = "reading";
            s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + probe));
            step = "listing";
            s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(1));
            step = "deleting";
            s3.deleteObject(b -> b.bucket(bucket).key(prefix + probe));
        } catch (SdkException e) {
            throw failure(step + " a probe object", probe, e);
        }
    }

    /**
     * Aborts unfinished multipart uploads under the prefix begun at least {@value #ABANDONED_AFTER_HOURS} hours ago
     * (S3 tells when an upload began, not when it last received a part, and a big upload of another worker may run
     * for hours) and none of this process's own; {@code idle} only lengthens that age. A bucket lifecycle rule
     * "abort incomplete multipart uploads after N days" does the same on the server's side.
     */
    @Override
    public int removeAbandoned(Duration idle) {
        Duration age = idle.compareTo(Duration.ofHours(ABANDONED_AFTER_HOURS)) > 0 ? idle
                : Duration.ofHours(ABANDONED_AFTER_HOURS);
        Instant cutoff = Instant.now().minus(age);
        int removed = 0;
        try {
            for (MultipartUpload upload : s3.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(prefix))
                    .uploads()) {
                if (upload.initiated() != null && upload.initiated().isBefore(cutoff)
                        && !openUploads.contains(upload.uploadId())) {
                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
                    removed++;
                }
            }
        } catch (SdkException e) {
            log.debug("backup storage '{}': unfinished uploads not listed: {}", name, e.toString());
        }
        if (removed > 0) {
            log.info("backup storage '{}': aborted {} abandoned multipart upload(s)", name, removed);
        }
        return removed;
    }

    @Override
    public void close() {
        uploaders.shutdownNow();
        s3.close();
    }

    /**
     * A file streamed to S3: bytes fill a part buffer; a full part is uploaded in the background (the multipart
     * upload created with the first one) while the next fills; at most {@value #PARTS_IN_FLIGHT} parts upload at once.
     */
    private final class PartUpload extends OutputStream implements Upload {
        private final String fileName;
        private final String key;
        private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(PARTS_IN_FLIGHT + 1);
        private final List<Future<CompletedPart>> parts = new ArrayList<>();
        private int buffers;
        private byte[] part;
        private int filled;
        private String uploadId;
        private boolean closed;
        private boolean committed;

        PartUpload(String fileName, String key) {
            this.fileName = fileName;
            this.key = key;
        }

        /** Closing it only ends the writing; {@link #commit()} publishes, {@link #close()} (the upload's) aborts. */
        private final OutputStream stream = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                PartUpload.this.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                PartUpload.this.write(b, off, len);
            }

            @Override
            public void close() {
                writingDone = true;
            }
        };
        private boolean writingDone;
        private boolean aborted;

        @Override
        public OutputStream stream() {
            return stream;
        }

        private byte[] buffer() throws IOException {
            byte[] b = free.poll();
            if (b != null) {
                return b;
            }
            if (buffers < PARTS_IN_FLIGHT + 1) {
                buffers++;
                return new byte[partSize];
            }
            try {
                return free.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("upload of " + fileName + " interrupted");
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed || writingDone) {
                throw new IOException("upload of " + fileName + " is closed");
            }
            while (len > 0) {
                if (part == null) {
                    part = buffer();
                    filled = 0;
                }
                int n = Math.min(len, partSize - filled);
                System.arraycopy(b, off, part, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == partSize) {
                    sendPart();
                }
            }
        }

        private void sendPart() throws IOException {
            failIfAPartFailed();
            if (parts.size() >= MAX_PARTS) {
                throw new IOException("backup storage '" + name + "': " + fileName + " needs more than " + MAX_PARTS
                        + " parts of " + (partSize >> 20) + " MB (S3's limit): raise the destination's part size");
            }
            // bounded: at most PARTS_IN_FLIGHT parts uploading; the oldest is waited for before another starts
            for (Future<CompletedPart> f : parts) {
                if (parts.stream().filter(x -> !x.isDone()).count() < PARTS_IN_FLIGHT) {
                    break;
                }
                if (!f.isDone()) {
                    await(f);
                }
            }
            if (uploadId == null) {
                try {
                    CreateMultipartUploadRequest.Builder request = CreateMultipartUploadRequest.builder()
                            .bucket(bucket).key(key).storageClass(storageClass).serverSideEncryption(serverSideEncryption);
                    uploadId = s3.createMultipartUpload(request.build()).uploadId();
                    openUploads.add(uploadId);
                } catch (SdkException e) {
                    throw failure("starting the upload of", fileName, e);
                }
            }
            byte[] data = part;
            int length = filled;
            int number = parts.size() + 1;
            part = null;
            filled = 0;
            parts.add(uploaders.submit(() -> {
                try {
                    String eTag = s3.uploadPart(UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                                    .partNumber(number).contentLength((long) length).build(),
                            RequestBody.fromInputStream(new ByteArrayInputStream(data, 0, length), length)).eTag();
                    return CompletedPart.builder().partNumber(number).eTag(eTag).build();
                } catch (SdkException e) {
                    throw failure("uploading part " + number + " of", fileName, e);
                } finally {
                    free.add(data);
                }
            }));
        }

        private void failIfAPartFailed() throws IOException {
            for (Future<CompletedPart> f : parts) {
                if (f.isDone()) {
                    await(f);
                }
            }
        }

        private CompletedPart await(Future<CompletedPart> f) throws IOException {
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("upload of " + fileName + " interrupted");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException("uploading " + fileName + " failed: " + e.getCause(), e.getCause());
            }
        }

        @Override
        public void close() {
            if (!committed) {
                closed = true;
                aborted = true;
                abort();
            }
        }

        @Override
        public void flush() {
            // parts are sent when full; commit sends the rest
        }

        @Override
        public void commit() throws IOException {
            if (committed) {
                return;
            }
            if (aborted) {
                throw new IOException("upload of " + fileName + " was aborted: nothing to commit");
            }
            closed = true;
            if (uploadId == null) {
                // smaller than one part: a single PUT, visible only once complete
                byte[] data = part == null ? new byte[0] : part;
                int length = part == null ? 0 : filled;
                try {
                    s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentLength((long) length)
                                    .storageClass(storageClass).serverSideEncryption(serverSideEncryption).build(),
                            RequestBody.fromInputStream(new ByteArrayInputStream(data, 0, length), length));
                } catch (SdkException e) {
                    throw failure("uploading", fileName, e);
                }
                committed = true;
                return;
            }
            if (filled > 0) {
                sendPart();
            }
            List<CompletedPart> done = new ArrayList<>();
            for (Future<CompletedPart> f : parts) {
                done.add(await(f));
            }
            try {
                s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder().bucket(bucket).key(key)
                        .uploadId(uploadId).multipartUpload(CompletedMultipartUpload.builder().parts(done).build())
                        .build());
            } catch (SdkException e) {
                throw failure("completing the upload of", fileName, e);
            }
            openUploads.remove(uploadId);
            committed = true;
        }

        private void abort() {
            for (Future<CompletedPart> f : parts) {
                try { // a part already on the wire would land after the abort and keep storage in use
                    f.get(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    f.cancel(true);
                }
            }
            if (uploadId != null) {
                String id = uploadId;
                for (int attempt = 1; attempt <= 2; attempt++) {
                    try {
                        s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket).key(key)
                                .uploadId(id).build());
                        break;
                    } catch (SdkException e) {
                        if (attempt == 2) {
                            log.warn("backup storage '{}': aborting the upload of {} failed ({}); it is aborted later "
                                    + "as abandoned", name, fileName, e.getMessage());
                        }
                    }
                }
                openUploads.remove(id);
                uploadId = null;
            }
        }
    }
}
