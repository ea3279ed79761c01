package io.taskagent.backup.alert.mail;

import io.taskagent.backup.alert.AlertProperties;
import io.taskagent.backup.alert.channel.Alert;
import io.taskagent.backup.alert.channel.AlertChannel;
import io.taskagent.backup.alert.channel.ChannelException;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;

/** Sends alert e-mails through the configured SMTP server (Spring Mail: host, port, STARTTLS, credentials). */
@Component
class MailChannel implements AlertChannel {

    static final String CHANNEL = "email";

    private final JavaMailSender sender;
    private final AlertProperties.Mail settings;

    MailChannel(JavaMailSender sender, AlertProperties properties) {
        this.sender = sender;
        this.settings = properties.mail();
    }

    @Override
    public String name() {
        return CHANNEL;
    }

    @Override
    public boolean enabled() {
        return settings.enabled() && !settings.recipients().isEmpty();
    }

    /** The e-mail: the alert's subject, and its text (what, where, the job, why or the figures, when, host). */
    SimpleMailMessage compose(Alert alert) {
        SimpleMailMessage mail = new SimpleMailMessage();
        mail.setFrom(settings.from());
        mail.setTo(settings.recipients().toArray(String[]::new));
        mail.setSubject(alert.subject());
        mail.setText(alert.text());
        return mail;
    }

    @Override
    public String send(Alert alert) {
        try {
            sender.send(compose(alert));
        } catch (MailException e) {
            // Spring Mail's messages name the SMTP host and the JavaMail cause, never the password
            throw new ChannelException("e-mail not sent: " + e.getMessage());
        }
        return String.join(",", settings.recipients());
    }
}
