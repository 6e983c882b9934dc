module stemgap

go 1.26.8

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/paulmach/orb v0.14.0
	github.com/uber/h3-go/v4 v4.5.0
)

require (
	github.com/gogo/protobuf v1.3.2 // indirect
	github.com/paulmach/protoscan v0.2.1 // indirect
	go.mongodb.org/mongo-driver/v2 v2.5.0 // indirect
)
