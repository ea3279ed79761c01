package io.taskagent.backup.gateway.live;

import io.swagger.v3.oas.annotations.Hidden;
import io.taskagent.backup.gateway.security.Caller;
import io.taskagent.backup.model.BackupMessage;
import io.taskagent.backup.model.InvalidMessageException;
import io.taskagent.backup.model.MessageJson;
import io.taskagent.backup.model.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code GET /api/backup/events}: server-sent events of job progress and results, each event's {@code data} the
 * message in the REST API's snake_case JSON (the API's own {@link JsonMapper}), its {@code event} name the message
 * type and its {@code id} the message id. Each gateway instance listens on
 * its own exclusive, auto-deleted queue bound to every event: live status is for whoever is connected now, so
 * nothing accumulates while no gateway runs (the catalog keeps the durable state). The dashboard follows the same
 * stream at {@code /ui/events}.
 */
@RestController
class LiveEvents {

    private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);

    private final List<SseEmitter> emitters = new CopyOnWriteArrayList<>();
    private final JsonMapper api;

    LiveEvents(JsonMapper api) {
        this.api = api;
    }

    @Configuration(proxyBeanMethods = false)
    static class Topics {
        /** Exclusive and auto-deleted; built by hand because AnonymousQueue adds an argument RabbitMQ 3.10 refuses. */
        @Bean
        Queue liveEventsQueue() {
            return QueueBuilder.nonDurable("api-gateway.live." + java.util.UUID.randomUUID()).exclusive().autoDelete()
                    .build();
        }

        @Bean
        Binding liveEventsBinding(Queue liveEventsQueue) {
            return BindingBuilder.bind(liveEventsQueue).to(new TopicExchange(Topology.EVENTS_EXCHANGE)).with("#");
        }
    }

    @GetMapping(path = "/api/backup/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(Caller caller) throws IOException {
        return subscribe();
    }

    /**
     * The same stream for the web dashboard's signed-in session (guarded by the dashboard's security chain); not part
     * of the REST API's document.
     */
    @Hidden
    @GetMapping(path = "/ui/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter dashboardEvents(Caller caller) throws IOException {
        return subscribe();
    }

    private SseEmitter subscribe() throws IOException {
        SseEmitter emitter = new SseEmitter(0L);
        emitters.add(emitter);
        emitter.onCompletion(() -> emitters.remove(emitter));
        emitter.onTimeout(() -> emitters.remove(emitter));
        emitter.onError(e -> emitters.remove(emitter));
        emitter.send(SseEmitter.event().comment("connected"));
        return emitter;
    }

    @RabbitListener(id = "gateway-live-events", queues = "#{liveEventsQueue.name}")
    void onEvent(Message message) {
        if (emitters.isEmpty()) {
            return; // nobody listens: no need to read the event
        }
        BackupMessage event;
        try {
            event = MessageJson.read(message.getBody());
        } catch (InvalidMessageException e) {
            log.debug("ignoring an unreadable event: {}", e.getMessage());
            return;
        }
        String json = api.writeValueAsString(event);
        for (SseEmitter emitter : emitters) {
            try {
                emitter.send(SseEmitter.event().name(event.getClass().getSimpleName())
                        .id(event.messageId().toString()).data(json, MediaType.APPLICATION_JSON));
            } catch (IOException | IllegalStateException e) {
                emitters.remove(emitter);
            }
        }
    }
}
