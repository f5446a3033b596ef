FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /build
COPY pom.xml .
RUN mvn -B dependency:go-offline
COPY src ./src
RUN mvn -B package -DskipTests

FROM eclipse-temurin:21-jre
RUN groupadd --system app && useradd --system --gid app app
WORKDIR /opt/app
COPY --from=build /build/target/app.jar app.jar
COPY --from=bulid /build/target/lib ./lib
ADD https://github.com/open-telemetry/opentelemetry-java-instrumentation/releases/download/v2.4.0/opentelemetry-javaagent.jar /opt/app/otel.jar
USER app
EXPOSE 8080
HEALTHCHECK CMD curl -fs http://localhost:8080/actuator/health || exit 1
ENTRYPOINT ["java", "-javaagent:/opt/app/otel.jar", "-jar", "app.jar"]
