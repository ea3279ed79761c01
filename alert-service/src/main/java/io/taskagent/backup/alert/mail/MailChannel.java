package io.taskagent.backup.alert.mail;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.Alert;
import io.taskagent.backup.alert.channel.AlertChannel;
import io.taskagent.backup.alert.channel.ChannelException;
import io.taskagent.backup.alert.settings.AlertSettings;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * Sends alert e-mails through the configured SMTP server (Spring Mail: host, port, STARTTLS, credentials) to the
 * recipients in force: set through the API ({@code ConfigureAlerts}), else {@code ALERT_MAIL_RECIPIENTS}. Off while
 * e-mail alerts are switched off or nobody is to receive them.
 */
@Component
class MailChannel implements AlertChannel {

    static final String CHANNEL = "email";

    private final JavaMailSender sender;
    private final String from;

    MailChannel(JavaMailSender sender, AlertProperties properties) {
        this.sender = sender;
        this.from = properties.mail().from();
    }

    @Override
    public String name() {
        return CHANNEL;
    }

    @Override
    public boolean enabled(AlertSettings settings) {
        return settings.emailOn();
    }

    /** The e-mail: the alert's subject, and its text (what, where, the job, why or the figures, when, host). */
    SimpleMailMessage compose(Alert alert, List<String> recipients) {
        SimpleMailMessage mail = new SimpleMailMessage();
        mail.setFrom(from);
        mail.setTo(recipients.toArray(String[]::new));
        mail.setSubject(alert.subject());
        mail.setText(alert.text());
        return mail;
    }

    @Override
    public String send(Alert alert, AlertSettings settings) {
        List<String> recipients = settings.emailRecipients();
        if (recipients.isEmpty()) {
            throw new ChannelException("e-mail not sent: no recipients");
        }
        try {
            sender.send(compose(alert, recipients));
        } catch (MailException e) {
            // Spring Mail's messages name the SMTP host and the JavaMail cause, never the password
            throw new ChannelException("e-mail not sent: " + e.getMessage());
        }
        return String.join(",", recipients);
    }
}
