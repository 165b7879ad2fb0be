

def test_smoke(portfolio):
    for role in ("anonymous", "administrator", "coordinator"):
        client = portfolio.client(role)
        for url in ["/", "/portfolio/", "/portfolio/?view=measures", "/portfolio/?view=tags", "/labore/", "/massnahmen/",
                    "/labore/hybride-formen-des-handels/", "/labore/digitale-koproduktion-im-handwerk/",
                    "/labore/hybride-formen-des-handels/massnahmen/hallobot/", "/barrierefreiheit/", "/impressum/"]:
            r = client.get(url)
            assert r.status_code == 200, (url, r.content[:3000])
    r = portfolio.client("coordinator").get("/labore/digitale-koproduktion-im-handwerk/")
    print(r.content.decode())
    r = portfolio.client("anonymous").get("/labore/hybride-formen-des-handels/massnahmen/hallobot/")
    print(r.content.decode())
