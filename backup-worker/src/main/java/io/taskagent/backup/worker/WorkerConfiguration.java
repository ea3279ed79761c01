package io.taskagent.backup.worker;

import io.taskagent.backup.worker.job.JobStore;
import io.taskagent.backup.worker.job.LeaseKeeper;
import io.taskagent.backup.worker.job.TakeOvers;
import io.taskagent.backup.worker.storage.StorageDirectory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.InetAddress;

/** Beans of the worker that come from its settings. */
@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    /** The storage directory; stale temporary files of a crashed run are removed here, at start-up. */
    @Bean
    StorageDirectory storageDirectory(WorkerProperties properties) {
        StorageDirectory storage = new StorageDirectory(properties.storage().dir());
        storage.removeStaleTemporaryFiles();
        return storage;
    }

    @Bean
    WorkerIdentity workerIdentity(WorkerProperties properties) {
        String id = properties.worker().id();
        if (id == null || id.isBlank()) {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "worker";
            }
            id = host + "-" + ProcessHandle.current().pid();
        }
        return new WorkerIdentity(id);
    }

    @Bean
    LeaseKeeper leaseKeeper(JobStore jobs, WorkerIdentity identity, WorkerProperties properties) {
        return new LeaseKeeper(jobs, identity.id(), properties.worker().leaseDuration());
    }

    /**
     * The threads lease take-overs run on, off the scheduling thread: as many as the worker runs jobs at once
     * ({@code backup.worker.concurrency}); closed with the context.
     */
    @Bean(destroyMethod = "close")
    TakeOvers takeOvers(WorkerProperties properties) {
        return new TakeOvers(properties.worker().concurrency());
    }

    /** This worker's name in job leases. */
    record WorkerIdentity(String id) {
    }
}
