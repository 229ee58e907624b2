# trip-pipeline as a container: docker build -t trip-pipeline . (docker-compose.yml builds it too)

FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml .
# the dependencies in a layer of their own: a change to the sources alone does not download them again
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17.0.13_11-jre
RUN useradd --system --uid 10001 --home-dir /app pipeline
WORKDIR /app
COPY --from=build /build/target/trip-pipeline.jar /app/trip-pipeline.jar
USER 10001
# /observe/health and /observe/metrics; the Hawtio console (off until a user and password are set)
EXPOSE 8080 8090
# the heap follows the container's memory limit; an out-of-memory error ends the process so that the
# orchestrator restarts it, rather than leaving a half-working pipeline behind
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/trip-pipeline.jar"]
# 200 on a healthy leader or standby, 503 while a dependency is down; bash's /dev/tcp needs no curl in the image
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PIPELINE_HTTP_PORT:-8080} && printf 'GET /observe/health HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
