package pipeline.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import pipeline.cluster.PostgresLockClusterService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The leader election on its own, two members on the shared Postgres: one leads, the other names it;
 * when the leader's session ends under it (an administrator's pg_terminate_backend, a server
 * restart), it steps down at its next check and the other takes over; another slot is another election.
 */
class LeaderElectionTest {

    private static final String NAMESPACE = "trip-pipeline";

    @Test
    void oneOfTwoLeadsAndALeaderWhoseSessionEndsStepsDownForTheOther() throws Exception {
        CamelContext first = new DefaultCamelContext();
        CamelContext second = new DefaultCamelContext();
        CamelContext otherSlot = new DefaultCamelContext();
        try {
            PostgresLockClusterService a = member(first, "a:1", "election_slot");
            PostgresLockClusterService b = member(second, "b:2", "election_slot");
            PostgresLockClusterService c = member(otherSlot, "c:3", "other_election_slot");
            java.util.Map<PostgresLockClusterService, List<String>> heard = java.util.Map.of(a, new CopyOnWriteArrayList<>(),
                    b, new CopyOnWriteArrayList<>());
            heard.forEach((member, events) -> {
                try {
                    member.getView(NAMESPACE).addEventListener((CamelClusterEventListener.Leadership) (view, leader) -> events.add(
                            view.getLocalMember().isLeader()
                                    ? "leading"
                                    : "standing by for " + (leader == null ? "nobody" : leader.getId())));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> a.isLeader(NAMESPACE) != b.isLeader(NAMESPACE));
            PostgresLockClusterService leader = a.isLeader(NAMESPACE) ? a : b;
            PostgresLockClusterService standby = leader == a ? b : a;
            await().atMost(Duration.ofSeconds(10)).until(() -> standby.getView(NAMESPACE).getLeader()
                    .map(member -> member.getId().equals(leader.memberId())).orElse(false));
            assertThat(c.isLeader(NAMESPACE)).as("the member of another slot's election leads it").isTrue();

            try (Connection admin = SharedServers.postgres();
                    PreparedStatement terminate = admin.prepareStatement(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?")) {
                terminate.setString(1, "trip-pipeline leader-election " + leader.memberId());
                terminate.executeQuery().close();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> standby.isLeader(NAMESPACE) && !leader.isLeader(NAMESPACE));
            await().atMost(Duration.ofSeconds(10)).until(() -> leader.getView(NAMESPACE).getLeader()
                    .map(member -> member.getId().equals(standby.memberId())).orElse(false));
            assertThat(heard.get(leader)).as("what the first leader's routes heard")
                    .containsSubsequence("leading", "standing by for nobody", "standing by for " + standby.memberId());
        } finally {
            first.close();
            second.close();
            otherSlot.close();
        }
    }

    private static PostgresLockClusterService member(CamelContext context, String id, String slot) throws Exception {
        PostgresLockClusterService member = new PostgresLockClusterService(id, slot,
                timeout -> {
                    java.util.Properties login = new java.util.Properties();
                    login.setProperty("user", "postgres");
                    login.setProperty("password", "");
                    login.setProperty("ApplicationName", "trip-pipeline leader-election " + id);
                    login.setProperty("socketTimeout", String.valueOf(timeout));
                    return java.sql.DriverManager.getConnection(SharedServers.get().postgres.jdbcUrl("postgres"), login);
                });
        context.addService(member);
        context.start();
        member.getView(NAMESPACE);
        return member;
    }
}
