package io.taskagent.backup.alert.mail;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.model.BackupFailed;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

import java.net.InetAddress;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Sends alert e-mails through the configured SMTP server (Spring Mail). */
@Component
public class MailChannel {

    public static final String CHANNEL = "email";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final JavaMailSender sender;
    private final AlertProperties.Mail settings;
    private final String host;

    public MailChannel(JavaMailSender sender, AlertProperties properties) {
        this.sender = sender;
        this.settings = properties.mail();
        String name;
        try {
            name = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            name = "unknown";
        }
        this.host = name;
    }

    public boolean enabled() {
        return settings.enabled() && !settings.recipients().isEmpty();
    }

    public List<String> recipients() {
        return settings.recipients();
    }

    /** The e-mail for a failed backup: what failed, where, why, when. */
    public SimpleMailMessage compose(BackupFailed event) {
        SimpleMailMessage mail = new SimpleMailMessage();
        mail.setFrom(settings.from());
        mail.setTo(settings.recipients().toArray(String[]::new));
        mail.setSubject("[backup] FAILED: " + event.backupType() + " backup of " + event.target());
        mail.setText("""
                A backup failed.

                Event:       BackupFailed
                Target:      %s
                Backup type: %s
                Job:         %s
                Attempt:     %d
                Time:        %s
                Reason:      %s

                Reported by alert-service on %s.
                Job details: GET /api/backup/jobs/%s
                """.formatted(event.target(), event.backupType(), event.jobId(), event.attempt(),
                TIME.format(event.occurredAt()), event.reason(), host, event.jobId()));
        return mail;
    }

    public void send(SimpleMailMessage mail) {
        sender.send(mail);
    }
}
