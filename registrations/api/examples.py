"""The contract's examples, shown in the OpenAPI schema."""

from drf_spectacular.utils import OpenApiExample

SEED_REQUEST = [
    {
        "bubbleId": "1708861331497x933611102973227500",
        "producerBubbleId": "1708861331497x933611102973227500",
        "producerId": "50658c1e-356e-4407-b120-d110552292d8",
        "schemeProBubbleId": "1708861331497x933611102973227500",
        "schemeProId": "50658c1e-356e-4407-b120-d110552292d8",
        "uin": "5raeztrytegrfezrgtrhytuy",
        "proMemberId": "AGJYRTYH987",
        "status": "4 - PendingPro",
        "schemeDepositAmount": 42,
        "isExternalRegistration": False,
        "uinReceivedAt": "2024-01-19T12:45:04.147Z",
        "registrationSentToProAt": "2024-01-19T12:45:04.147Z",
        "createdAt": "2024-01-19T12:45:04.147Z",
        "updatedAt": "2024-01-19T12:45:04.147Z",
    }
]

SEED_RESPONSE = [
    {
        "id": "50658c1e-356e-4407-b120-d110552292d8",
        "bubbleId": "1708861331497x933611102973227500",
        "producerBubbleId": "1708861331497x933611102973227500",
        "producerId": "50658c1e-356e-4407-b120-d110552292d8",
        "schemeProBubbleId": "1708861331497x933611102973227500",
        "schemeProId": "50658c1e-356e-4407-b120-d110552292d8",
        "uin": "5raeztrytegrfezrgtrhytuy",
        "proMemberId": "AGJYRTYH987",
        "status": "4 - PendingPro",
        "schemeDepositAmount": 42,
        "isExternalRegistration": False,
        "uinReceivedAt": "2024-01-19T12:45:04.147Z",
        "registrationSentToProAt": "2024-01-19T12:45:04.147Z",
        "createdAt": "2024-01-19T12:45:04.147Z",
        "updatedAt": "2024-01-19T12:45:04.147Z",
        "schemePro": {
            "id": "50658c1e-356e-4407-b120-d110552292d8",
            "bubbleId": "1708861331497x933611102973227500",
            "ecoOrganismName": "LEKO",
            "eprCountryCode": "FR",
            "schemeCode": "EMPAP",
            "ademeSchemeCode": "PCHIM",
            "currencyDeposit": "€",
            "declarationFrequency": "Annuel",
            "proAddress": "14, Boulevard de la Chapelle",
            "proCity": "Paris",
            "proZipCode": "75018",
            "proCountryBubbleId": "1699973781289x474882884422860800",
            "proCountryId": "a3bf6503-426b-43da-a2ac-37f8d8305a78",
            "proLogo": "https://my-logo",
            "registrationDeposit": 77,
            "schemeNameEn": "Clothing textiles, household linens and shoes",
            "schemeNameFr": "Textiles d'habillement, Linge de maison et Chaussures",
            "schemePartner": True,
            "createdAt": "2024-01-19T12:45:04.147Z",
            "updatedAt": "2024-01-19T12:45:04.147Z",
            "countProductsScheme": 72,
            "country": {
                "id": "50658c1e-356e-4407-b120-d110552292d8",
                "bubbleId": "1708861331497x933611102973227500",
                "codeIso2": "FR",
                "isVat": True,
                "nameEN": "United-Kingdom",
                "nameFR": "Royaume-Uni",
                "nameZH": "英国",
                "eprActivated": True,
                "createdAt": "2024-01-19T12:45:04.147Z",
                "updatedAt": "2024-01-19T12:45:04.147Z",
            },
            "seller": {
                "id": "50658c1e-356e-4407-b120-d110552292d8",
                "bubbleId": "1708861331497x933611102973227500",
                "companyName": "Coca-Cola",
                "nrn": "45649879465",
                "vat": "FR95645645678",
                "companyAddress": "42 RUE VICTOR HUGO",
                "companyLogo": "https://my-url",
                "superAdminEmail": "super-admin@email.com",
                "superAdminMobilePhone": "0609921214",
                "superAdminFirstName": "Nicolas",
                "superAdminLastName": "Delalande",
                "registrationFeesId": "string",
                "declarationBasicFeesId": "string",
                "declarationPremiumFeesId": "string",
                "connectAlgorepId": "string",
                "commissionPercentage": "string",
                "createdAt": "2024-01-19T12:45:04.147Z",
                "updatedAt": "2024-01-19T12:45:04.147Z",
            },
            "sellerStripeConfig": {
                "id": "50658c1e-356e-4407-b120-d110552292d8",
                "sellerId": "50658c1e-356e-4407-b120-d110552292d8",
                "schemeProId": "50658c1e-356e-4407-b120-d110552292d8",
                "depositPriceId": "some-id",
                "ecoContributionPriceId": "some-id",
                "connectId": "some-id",
                "createdAt": "2024-01-19T12:45:04.147Z",
                "updatedAt": "2024-01-19T12:45:04.147Z",
            },
        },
        "countProductsScheme": 72,
        "totalQuantityScheme": 654,
        "totalAmountScheme": 72522.45,
        "producerPaidAt": "2024-01-19T12:45:04.147Z",
    }
]

OPENAPI_EXAMPLES = [
    # Body and answer are lists: drf-spectacular wraps the example of a list serializer's item.
    OpenApiExample("Upsert one registration", value=SEED_REQUEST[0], request_only=True),
    OpenApiExample(
        "Registrations", value=SEED_RESPONSE[0], response_only=True, status_codes=["200"]
    ),
    OpenApiExample(
        "Unknown user or producer",
        value={
            "error": "ALGOREP_028",
            "message": "No Company Found With This NRN",
            "details": {"UserBubbleId": "1708861331497x933611102973227500", "ProducerNrn": "0"},
        },
        response_only=True,
        status_codes=["400"],
    ),
    OpenApiExample(
        "Invalid item",
        value={
            "error": "ALGOREP_005",
            "message": "Bad Request",
            "details": {"0": {"schemeDepositAmount": ["A valid number is required."]}},
        },
        response_only=True,
        status_codes=["400"],
    ),
    OpenApiExample(
        "Unexpected error",
        value={
            "error": "ALGOREP_001",
            "message": "The server encountered an unknown error!",
            "details": {},
        },
        response_only=True,
        status_codes=["500"],
    ),
]
